//! Line charts of a series as SVG, for `query --chart` and the catalog of
//! `docs`. Drawn with plotters' SVG backend and nothing else of it: no
//! `ttf` feature, so no font files or fontconfig are read; text is written
//! as SVG `<text>` (escaped by the backend) and laid out by the viewer.
//! Each line is one `<polyline>` per run of periods with a value (a null
//! period breaks the line) and a dot per value; reference lines (an SLA
//! target) are dashed and named in the legend.

use crate::governance::show_bound;
use crate::query::series::{Line, Series};
use crate::Fatal;
use plotters::prelude::*;
use yardstick_compiler::model::{Bound, Limit, Metric};

/// What one chart shows.
pub struct Chart<'a> {
    pub title: String,
    /// The y axis' label: the unit of the values.
    pub unit: String,
    pub series: &'a Series,
    /// Horizontal lines across the chart, each with its legend text.
    pub references: Vec<(String, f64)>,
}

/// The y axis' label of a metric: its unit as declared, else the
/// formula's.
pub fn unit_label(metric: &Metric) -> String {
    match &metric.declared_unit {
        Some(unit) => unit.clone(),
        None => metric.unit.to_string(),
    }
}

/// The reference lines of a metric's `sla.target`: one per limit, named
/// `SLA target >= 30`.
pub fn target_lines(metric: &Metric) -> Vec<(String, f64)> {
    let Some(target) = metric.sla.as_ref().and_then(|s| s.target.as_ref()) else {
        return Vec::new();
    };
    let one = |low: Option<&Limit>, high: Option<&Limit>| Bound {
        low: low.cloned(),
        high: high.cloned(),
    };
    [
        target.low.as_ref().map(|l| (one(Some(l), None), l.value)),
        target.high.as_ref().map(|h| (one(None, Some(h)), h.value)),
    ]
    .into_iter()
    .flatten()
    .map(|(bound, value)| (format!("SLA target {}", show_bound(&bound)), value))
    .collect()
}

/// The chart's size in pixels (the SVG scales in a browser).
pub const SIZE: (u32, u32) = (760, 380);

/// The chart as a whole SVG document.
pub fn svg(chart: &Chart) -> Result<String, Fatal> {
    let mut out = String::new();
    draw(chart, &mut out).map_err(|e| Fatal(format!("cannot draw the chart: {e}")))?;
    Ok(out)
}

fn draw(chart: &Chart, out: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let periods = &chart.series.periods;
    let last = i32::try_from(periods.len().saturating_sub(1)).unwrap_or(i32::MAX);
    let (low, high) = y_range(chart);
    let root = SVGBackend::with_string(out, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut plot = ChartBuilder::on(&root)
        .caption(&chart.title, ("sans-serif", 24))
        .margin(12)
        .margin_right(40)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0..last.max(1), low..high)?;
    let label = |i: &i32| {
        usize::try_from(*i)
            .ok()
            .and_then(|i| periods.get(i))
            .cloned()
            .unwrap_or_default()
    };
    plot.configure_mesh()
        .x_labels(periods.len().clamp(2, 7))
        .x_label_formatter(&label)
        .y_desc(chart.unit.as_str())
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (i, line) in chart.series.lines.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let runs = runs(line);
        let drawn = plot.draw_series(
            runs.into_iter()
                .map(|run| PathElement::new(run, color.stroke_width(2))),
        )?;
        // One metric without groups is named after the metric.
        let name = if line.name.is_empty() {
            &line.metric
        } else {
            &line.name
        };
        drawn.label(name.as_str()).legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
        });
        plot.draw_series(points(line).map(|p| Circle::new(p, 3, color.filled())))?;
    }
    for (name, value) in &chart.references {
        let style = BLACK.mix(0.6).stroke_width(1);
        plot.draw_series(DashedLineSeries::new(
            [(0, *value), (last.max(1), *value)],
            6,
            4,
            style,
        ))?
        .label(name.as_str())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
    }
    let named = chart.series.lines.len() > 1
        || chart.series.lines.iter().any(|l| !l.name.is_empty())
        || !chart.references.is_empty();
    if named {
        plot.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 15))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// The runs of consecutive periods with a finite value, as points.
fn runs(line: &Line) -> Vec<Vec<(i32, f64)>> {
    let mut out: Vec<Vec<(i32, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, value) in line.values.iter().enumerate() {
        match (i32::try_from(i), value.filter(|v| v.is_finite())) {
            (Ok(x), Some(v)) => current.push((x, v)),
            _ => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn points(line: &Line) -> impl Iterator<Item = (i32, f64)> + '_ {
    line.values.iter().enumerate().filter_map(|(i, v)| {
        let v = v.filter(|v| v.is_finite())?;
        Some((i32::try_from(i).ok()?, v))
    })
}

/// The values' range with the references in it, padded by a twentieth;
/// a flat or empty chart gets room around its one value.
fn y_range(chart: &Chart) -> (f64, f64) {
    let values = chart
        .series
        .lines
        .iter()
        .flat_map(|l| l.values.iter().flatten().copied())
        .chain(chart.references.iter().map(|(_, v)| *v))
        .filter(|v| v.is_finite());
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !low.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if high > low {
        (high - low) / 20.0
    } else {
        low.abs().max(1.0) / 10.0
    };
    (low - pad, high + pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: Vec<Option<f64>>) -> Series {
        Series {
            periods: (1..=values.len())
                .map(|m| format!("2025-{m:02}-01"))
                .collect(),
            lines: vec![Line {
                metric: "m".to_owned(),
                group: Vec::new(),
                name: String::new(),
                values,
            }],
        }
    }

    #[test]
    fn a_null_breaks_the_line_into_runs() {
        let s = series(vec![Some(1.0), Some(2.0), None, Some(4.0), Some(f64::NAN)]);
        assert_eq!(
            runs(&s.lines[0]),
            vec![vec![(0, 1.0), (1, 2.0)], vec![(3, 4.0)]]
        );
    }

    #[test]
    fn the_svg_has_a_polyline_per_run_and_the_reference_in_the_legend() {
        let s = series(vec![
            Some(1.0),
            Some(2.0),
            Some(3.0),
            None,
            Some(5.0),
            Some(6.0),
        ]);
        let chart = Chart {
            title: "T <&> \"q\"".to_owned(),
            unit: "score".to_owned(),
            series: &s,
            references: vec![("target >= 4".to_owned(), 4.0)],
        };
        let text = svg(&chart).expect("drawn");
        assert!(text.starts_with("<svg"), "{text}");
        assert!(
            text.contains("T &lt;&amp;&gt;"),
            "the title is escaped: {text}"
        );
        assert!(!text.contains("<&>"));
        assert!(
            text.contains(">\nscore\n</text>"),
            "the unit labels the y axis"
        );
        assert!(
            text.contains("target &gt;= 4"),
            "the reference is in the legend"
        );
        assert!(
            text.contains(">\nm\n</text>"),
            "the line is named after its metric"
        );
        assert_eq!(text.matches("<circle").count(), 5, "a dot per value");
        // Two runs, the legend's sample of the line and of the reference;
        // the dashed reference is drawn as dashes.
        assert!(text.matches("<polyline").count() >= 4, "{text}");
    }

    #[test]
    fn an_empty_series_still_draws() {
        let s = series(vec![None, None]);
        let chart = Chart {
            title: "empty".to_owned(),
            unit: "ratio".to_owned(),
            series: &s,
            references: Vec::new(),
        };
        assert!(svg(&chart).expect("drawn").contains("</svg>"));
    }
}
