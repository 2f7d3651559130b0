//! `query --ci`: a 95% interval for each metric whose formula has a known
//! shape (`yardstick_compiler::ir::interval`), as `<metric>_lo` and
//! `<metric>_hi`; `null` for other formulas, for a withheld or missing
//! value, and where the sample is too small for the interval.
//!
//! The aggregates an interval needs (the counts of a ratio, the count, sum
//! and sum of squares under an average) are computed by the same query
//! shape as the metric: the metric's copy with the aggregate as its formula
//! keeps its source, filters, window and snapshot rule, and rows are
//! matched on their dimension values and period.

use super::catalog::Tables;
use super::compare::{floats, keys, Key};
use super::{execute, prepare_reusing};
use crate::Fatal;
use datafusion::arrow::array::{Array, ArrayRef, Float64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use yardstick_compiler::ir::interval::{interval_shape, IntervalShape};
use yardstick_compiler::ir::{MetricId, TypedExpr};
use yardstick_compiler::model::{Definition, Library};
use yardstick_compiler::query::Request;
use yardstick_lower::OutputColumn;

/// The standard normal quantile of 97.5%.
const Z: f64 = 1.959_963_984_540_054;

/// The result with `<metric>_lo` and `<metric>_hi` after each metric.
pub async fn add(
    spec: &Path,
    library: &Library,
    request: &Request,
    columns: &[OutputColumn],
    batches: Vec<RecordBatch>,
    engine: &crate::engine::Engine,
) -> Result<(Vec<RecordBatch>, Vec<OutputColumn>), Fatal> {
    // The metrics with a shape, and the internal metrics of their parts.
    let mut shapes: HashMap<String, (IntervalShape, Vec<String>)> = HashMap::new();
    let mut helper = library.clone();
    let mut parts = Vec::new();
    for id in &request.metrics {
        let Some(metric) = library.metric(id) else {
            continue;
        };
        let Definition::Base(base) = &metric.definition else {
            continue;
        };
        let Some(shape) = interval_shape(&base.formula) else {
            continue;
        };
        let aggregates: Vec<&TypedExpr> = match &shape {
            IntervalShape::Wilson { hits, total } => vec![hits, total],
            IntervalShape::Difference { a, b, total, .. } => vec![a, b, total],
            IntervalShape::Mean { n, sum, squares } => vec![n, sum, squares],
        };
        let mut names = Vec::new();
        for (i, aggregate) in aggregates.into_iter().enumerate() {
            let name = format!("__ci__{}__{i}", metric.name);
            let mut part = metric.clone();
            let mut part_base = base.clone();
            part_base.formula = aggregate.clone();
            part_base.min_sample = None;
            part_base.fill_zero = false;
            part.name = name.clone();
            part.value_type = aggregate.ty;
            part.definition = Definition::Base(part_base);
            helper.metrics.insert(name.clone(), part);
            parts.push(MetricId(name.clone()));
            names.push(name);
        }
        shapes.insert(metric.name.clone(), (shape, names));
    }
    let mut values: HashMap<Key, HashMap<String, Option<f64>>> = HashMap::new();
    if !parts.is_empty() {
        let parts_request = Request {
            metrics: parts.clone(),
            ..request.clone()
        };
        let prepared =
            prepare_reusing(spec, &helper, &parts_request, &mut Tables::on(engine)).await?;
        for batch in &execute(&prepared).await? {
            let row_keys = keys(batch, &prepared.lowered.columns)?;
            for part in &parts {
                let column = floats(batch, part.as_str())?;
                for (r, key) in row_keys.iter().enumerate() {
                    values
                        .entry(key.clone())
                        .or_default()
                        .insert(part.0.clone(), column.is_valid(r).then(|| column.value(r)));
                }
            }
        }
    }
    let mut out = Vec::with_capacity(batches.len());
    for batch in &batches {
        let row_keys = keys(batch, columns)?;
        let schema = batch.schema();
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for (i, field) in schema.fields().iter().enumerate() {
            fields.push(field.as_ref().clone());
            arrays.push(batch.column(i).clone());
            let name = field.name();
            if !request.metrics.iter().any(|m| m.as_str() == name) {
                continue;
            }
            let value = floats(batch, name)?;
            let mut lo = Vec::with_capacity(batch.num_rows());
            let mut hi = Vec::with_capacity(batch.num_rows());
            for (r, key) in row_keys.iter().enumerate() {
                let interval = shapes.get(name.as_str()).and_then(|(shape, names)| {
                    if !value.is_valid(r) {
                        return None;
                    }
                    let got = values.get(key)?;
                    let part = |i: usize| names.get(i).and_then(|n| got.get(n).copied().flatten());
                    interval(shape, part(0), part(1), part(2))
                });
                lo.push(interval.map(|i| i.0));
                hi.push(interval.map(|i| i.1));
            }
            for (suffix, v) in [("lo", lo), ("hi", hi)] {
                fields.push(Field::new(
                    format!("{name}_{suffix}"),
                    DataType::Float64,
                    true,
                ));
                arrays.push(Arc::new(Float64Array::from(v)));
            }
        }
        out.push(
            RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
                .map_err(|e| Fatal(format!("cannot add the intervals: {e}")))?,
        );
    }
    Ok((
        out,
        super::columns_after_each_metric(columns, request, &["lo", "hi"]),
    ))
}

/// The interval of one value from its parts (in the shape's order).
fn interval(
    shape: &IntervalShape,
    first: Option<f64>,
    second: Option<f64>,
    third: Option<f64>,
) -> Option<(f64, f64)> {
    match shape {
        IntervalShape::Wilson { .. } => wilson(first?, second?),
        IntervalShape::Difference { scale, .. } => difference(*scale, first?, second?, third?),
        IntervalShape::Mean { .. } => mean(first?, second?, third?),
    }
}

/// Wilson's score interval for `hits` of `n`.
pub fn wilson(hits: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 {
        return None;
    }
    let p = hits / n;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    Some((centre - half, centre + half))
}

/// `scale * (pa - pb)` ± z · scale · SE, where `a` and `b` count rows of
/// the same `n` (one multinomial sample): SE² = (pa + pb - (pa - pb)²) / n.
pub fn difference(scale: f64, a: f64, b: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 {
        return None;
    }
    let (pa, pb) = (a / n, b / n);
    let d = pa - pb;
    let se = ((pa + pb - d * d).max(0.0) / n).sqrt();
    let (x, y) = (scale * (d - Z * se), scale * (d + Z * se));
    Some((x.min(y), x.max(y)))
}

/// The t interval of a mean from the count, sum and sum of squares.
pub fn mean(n: f64, sum: f64, squares: f64) -> Option<(f64, f64)> {
    if n < 2.0 {
        return None;
    }
    let m = sum / n;
    let variance = ((squares - sum * m) / (n - 1.0)).max(0.0);
    let half = t_quantile(0.975, n - 1.0) * (variance / n).sqrt();
    Some((m - half, m + half))
}

/// Student's t quantile (`p` above 0.5), by bisection on the CDF.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 1.0e4_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// P(T <= t) for t >= 0.
fn t_cdf(t: f64, df: f64) -> f64 {
    1.0 - 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
}

/// The regularised incomplete beta function I_x(a, b) (continued
/// fraction, modified Lentz).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - incomplete_beta(b, a, 1.0 - x);
    }
    let tiny = 1e-300;
    let (mut c, mut d) = (1.0, 1.0 - (a + b) * x / (a + 1.0));
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut f = d;
    for m in 1..500 {
        let m = f64::from(m);
        for step in 0..2 {
            let numerator = if step == 0 {
                m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m))
            } else {
                -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0))
            };
            d = 1.0 + numerator * d;
            if d.abs() < tiny {
                d = tiny;
            }
            c = 1.0 + numerator / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            f *= c * d;
        }
        if (c * d - 1.0).abs() < 1e-15 {
            break;
        }
    }
    front * f / a
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn t_quantiles_match_the_tables() {
        // Two-sided 95% critical values from published t tables.
        for (df, t) in [
            (1.0, 12.706_204_736),
            (2.0, 4.302_652_730),
            (4.0, 2.776_445_105),
            (9.0, 2.262_157_163),
            (29.0, 2.045_229_642),
            (1000.0, 1.962_339_081),
        ] {
            assert!(
                near(t_quantile(0.975, df), t, 1e-7),
                "df {df}: {}",
                t_quantile(0.975, df)
            );
        }
    }

    #[test]
    fn wilson_by_hand() {
        // 7 of 10: p = 0.7, z² = 3.841459; centre = (0.7 + 0.192073) /
        // 1.384146 = 0.644494; half = 1.959964 * sqrt(0.021 + 0.009604)
        // / 1.384146 = 0.247716 → [0.396778, 0.892209].
        let (lo, hi) = wilson(7.0, 10.0).expect("an interval");
        assert!(
            near(lo, 0.396_778, 1e-6) && near(hi, 0.892_209, 1e-6),
            "{lo} {hi}"
        );
        assert_eq!(wilson(0.0, 0.0), None);
    }
}
