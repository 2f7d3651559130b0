//! `yardstick reconcile`: each `reconcile` declaration's two metrics
//! computed per period (and per `by` group) in one query, compared within
//! the tolerance (LANGUAGE.md §10). Every period is listed, agreements and
//! variances; a variance names the owner who signs off.

use super::{number, result_rows};
use crate::query::{self, catalog::Tables};
use crate::Fatal;
use std::path::Path;
use yardstick_compiler::model::{Library, Reconcile};
use yardstick_compiler::query::{Arg, QueryArgs};

/// One period (and group) of one reconciliation.
#[derive(Debug, Clone)]
pub struct Line {
    pub reconcile: String,
    pub period: String,
    /// The `by` dimensions' values, when the declaration has `by`.
    pub group: Vec<(String, String)>,
    pub metric: String,
    pub value: Option<f64>,
    pub against_metric: String,
    pub against: Option<f64>,
    /// `value - against`; `None` when a side has no value.
    pub difference: Option<f64>,
    pub within_tolerance: bool,
    pub tolerance: String,
    /// Who signs off on a variance, with the escalation path.
    pub owner: String,
}

/// The dates a reconciliation covers: `--from`, `--to` (YYYY-MM-DD), each
/// defaulting to the data's range.
#[derive(Debug, Clone, Default)]
pub struct Range {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Every line of `reconciles`, in order.
pub async fn run(
    spec: &Path,
    library: &Library,
    reconciles: &[&Reconcile],
    range: &Range,
    engine: &crate::engine::Engine,
) -> Result<Vec<Line>, Fatal> {
    let mut tables = Tables::on(engine);
    let mut lines = Vec::new();
    for r in reconciles {
        let arg = Arg::unplaced;
        let args = QueryArgs {
            metrics: vec![arg(&r.metric), arg(&r.against)],
            by: r.by.iter().map(|d| arg(d)).collect(),
            grain: Some(arg(r.grain.name())),
            from: range.from.as_deref().map(arg),
            to: range.to.as_deref().map(arg),
            ..QueryArgs::default()
        };
        let (request, diags) = yardstick_compiler::query::check(library, &args);
        let request = request.filter(|_| !diags.has_errors()).ok_or_else(|| {
            let why: Vec<String> = diags.iter().map(|d| d.message.clone()).collect();
            Fatal(format!(
                "reconcile `{}` cannot run: {}",
                r.name,
                why.join("; ")
            ))
        })?;
        let prepared = query::prepare_reusing(spec, library, &request, &mut tables).await?;
        let batches = query::execute(&prepared).await?;
        let owner = super::owner_path(library, r.owner.as_deref());
        for row in result_rows(&batches, &prepared.lowered.columns) {
            let value_of = |name: &str| {
                row.values
                    .iter()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, v)| *v)
            };
            let (value, against) = (value_of(&r.metric), value_of(&r.against));
            let period = row
                .group
                .iter()
                .find(|(k, _)| k == "period")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let group = row
                .group
                .iter()
                .filter(|(k, _)| k != "period")
                .cloned()
                .collect();
            lines.push(Line {
                reconcile: r.name.clone(),
                period,
                group,
                metric: r.metric.clone(),
                value,
                against_metric: r.against.clone(),
                against,
                difference: value.zip(against).map(|(v, a)| v - a),
                within_tolerance: r.tolerance.agrees(value, against),
                tolerance: r.tolerance.text(),
                owner: owner.clone(),
            });
        }
    }
    Ok(lines)
}

/// The lines as a table for people, one block per reconciliation.
pub fn human(library: &Library, lines: &[Line]) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    let show = |v: Option<f64>| v.map(number).unwrap_or_else(|| "none".to_owned());
    let mut rows: Vec<[String; 6]> = Vec::new();
    let flush = |out: &mut String, rows: &mut Vec<[String; 6]>| {
        let mut widths = [0usize; 6];
        for row in rows.iter() {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        for row in rows.drain(..) {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .enumerate()
                .map(|(i, (c, w))| {
                    if (1..=3).contains(&i) {
                        format!("{c:>w$}")
                    } else {
                        format!("{c:<w$}")
                    }
                })
                .collect();
            out.push_str("  ");
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
    };
    for line in lines {
        if current != Some(line.reconcile.as_str()) {
            flush(&mut out, &mut rows);
            if current.is_some() {
                out.push('\n');
            }
            current = Some(&line.reconcile);
            let grain = library
                .reconciles
                .get(&line.reconcile)
                .map(|r| r.grain.name())
                .unwrap_or("period");
            out.push_str(&format!(
                "{}: {} against {} by {grain}, tolerance {}, signed off by {}\n",
                line.reconcile, line.metric, line.against_metric, line.tolerance, line.owner
            ));
            rows.push([
                "period".to_owned(),
                line.metric.clone(),
                line.against_metric.clone(),
                "difference".to_owned(),
                "status".to_owned(),
                String::new(),
            ]);
        }
        let mut period = line.period.clone();
        for (k, v) in &line.group {
            period.push_str(&format!(" {k}={v}"));
        }
        rows.push([
            period,
            show(line.value),
            show(line.against),
            show(line.difference),
            if line.within_tolerance {
                "ok"
            } else {
                "VARIANCE"
            }
            .to_owned(),
            variance_note(line),
        ]);
    }
    flush(&mut out, &mut rows);
    out
}

/// Why a line is a variance: by how much, or which side is missing.
fn variance_note(line: &Line) -> String {
    if line.within_tolerance {
        return String::new();
    }
    match (line.value, line.against) {
        (Some(_), None) => format!("no value for {}", line.against_metric),
        (None, _) => format!("no value for {}", line.metric),
        (Some(v), Some(a)) if a != 0.0 => format!(
            "{}% of {} (tolerance {})",
            number(100.0 * (v - a) / a.abs()),
            line.against_metric,
            line.tolerance
        ),
        _ => format!("tolerance {}", line.tolerance),
    }
}

/// One line per variance for stderr, naming who signs off.
pub fn variances(lines: &[Line]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| !l.within_tolerance)
        .map(|l| {
            let mut period = l.period.clone();
            for (k, v) in &l.group {
                period.push_str(&format!(", {k}={v}"));
            }
            format!(
                "variance: `{}` in {period}: {} is {}, {} is {}: {}; sign-off: {}",
                l.reconcile,
                l.metric,
                l.value.map(number).unwrap_or_else(|| "none".to_owned()),
                l.against_metric,
                l.against.map(number).unwrap_or_else(|| "none".to_owned()),
                variance_note(l),
                l.owner
            )
        })
        .collect()
}

/// The JSON of CLI.md: an array, one object per reconcile and period.
pub fn json(lines: &[Line]) -> Result<String, Fatal> {
    let rows: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| {
            let mut o = serde_json::json!({
                "reconcile": l.reconcile,
                "period": l.period,
                "metric": l.metric,
                "value": l.value,
                "against_metric": l.against_metric,
                "against": l.against,
                "difference": l.difference,
                "within_tolerance": l.within_tolerance,
                "tolerance": l.tolerance,
                "owner": l.owner,
            });
            if let Some(map) = o.as_object_mut() {
                for (k, v) in &l.group {
                    map.insert(k.clone(), serde_json::Value::String(v.clone()));
                }
            }
            o
        })
        .collect();
    serde_json::to_string_pretty(&rows)
        .map(|s| s + "\n")
        .map_err(|e| Fatal(format!("cannot write JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use yardstick_compiler::model::Tolerance;

    #[test]
    fn tolerance_is_relative_to_the_against_side_or_an_amount() {
        let two = Tolerance::Relative(0.02);
        assert!(two.agrees(Some(102.0), Some(100.0)));
        assert!(!two.agrees(Some(102.5), Some(100.0)));
        assert!(two.agrees(Some(-98.0), Some(-100.0)));
        assert!(!two.agrees(Some(1.0), None));
        assert!(!two.agrees(None, Some(1.0)));
        let amount = Tolerance::Absolute(500.0);
        assert!(amount.agrees(Some(10_500.0), Some(10_000.0)));
        assert!(!amount.agrees(Some(10_500.5), Some(10_000.0)));
        assert_eq!(two.text(), "2%");
        assert_eq!(Tolerance::Relative(0.07).text(), "7%");
        assert_eq!(Tolerance::Relative(0.005).text(), "0.5%");
        assert_eq!(amount.text(), "500");
    }
}
