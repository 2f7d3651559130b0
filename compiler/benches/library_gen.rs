//! A generated library for benchmarks: `files` files, each with one source
//! and `per_file` metrics of the usual shapes (ratios with filters and
//! lookbacks, sums with units, variants, derived metrics), about fifteen
//! lines per metric.

use yardstick_compiler::span::SourceFile;

pub fn library(files: usize, per_file: usize) -> Vec<SourceFile> {
    (0..files)
        .map(|f| SourceFile {
            path: format!("area_{f:03}.yard"),
            text: file(f, per_file),
        })
        .collect()
}

fn file(f: usize, per_file: usize) -> String {
    let mut out = format!(
        r#"/// Events of area {f}.
source events_{f} {{
  path: "data/events_{f}.parquet"
  time: occurred_at
  key: event_id
  exclude: is_test
  dimensions: channel, region, plan
  columns {{
    event_id: string
    account_id: string
    channel: string
    region: string
    plan: string
    occurred_at: timestamp
    resolved_at: timestamp?
    score: int?
    contacts: int?
    cost_usd: float @usd
    handle_minutes: float @min
    is_test: bool
  }}
}}

owner owner_{f} {{
  name: "Team {f}"
  contact: "team-{f}@example.com"
}}

outcome outcome_{f} {{
  description: "Outcome {f}"
  owner: owner_{f}
  direction: higher
  measured_by: m_{f}_0
}}
"#
    );
    for m in 0..per_file {
        let name = format!("m_{f}_{m}");
        out.push_str(&format!(
            "\n// ---- {name} ----\n/// Metric {m} of area {f}: what it measures, for whom,\n/// and how it is read in the monthly review.\n/// Owned by team {f}; see the area handbook.\n"
        ));
        let text = match m % 4 {
            0 => format!(
                r#"metric {name} {{
  title: "Metric {f}.{m}"
  version: 2
  owner: owner_{f}
  tier: lagging
  unit: ratio
  from: events_{f}
  where: resolved_at is not null and channel in ["email", "chat", "phone"]
  exclude: region == "internal"
  formula: count(where contacts == 1) / count()
  lookback: 90d
  dimensions: channel, region
  changelog {{ 2: "Only resolved events" }}
}}
"#
            ),
            1 => format!(
                r#"metric {name} {{
  title: "Cost per event {f}.{m}"
  owner: owner_{f}
  tier: leading
  drives: outcome_{f} after 3mo
  unit: usd/min
  from: events_{f}
  formula: sum(cost_usd where channel != "self_service") / sum(handle_minutes)
  lookback: 1q
  assert: >= 0
  sla {{
    freshness: 24h
    target: <= 5
    review: monthly
  }}
}}
"#
            ),
            2 => format!(
                r#"metric {name} {{
  title: "Score {f}.{m}"
  owner: owner_{f}
  unit: score
  from: events_{f}
  where: score is not null
  formula: 100 * (count(where score >= 9) - count(where score <= 6)) / count()
  min_sample: 30
  assert: between -100 and 100
}}
"#
            ),
            _ => format!(
                r#"metric {name} {{
  title: "Health {f}.{m}"
  unit: score
  formula: 40 * m_{f}_{a} + 40 * round(m_{f}_{b}, 2) - coalesce(m_{f}_{c}, 0)
}}

/// {name}, email only.
metric {name}_email variant of m_{f}_{a} {{
  where: channel == "email"
}}
"#,
                a = m - 3,
                b = m - 1,
                c = m - 1,
            ),
        };
        out.push_str(&text);
    }
    out
}
