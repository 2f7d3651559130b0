//! `query --ci` through the binary: 95% intervals on ten answers, each
//! worked out by hand (the arithmetic is in the comments; z = 1.959964,
//! t(0.975, 4) = 2.776445 from a t table).

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use serde_json::Value;
use std::process::Command;

const LIBRARY: &str = r#"
source answers {
  path: "answers.csv"
  time: at
  dimensions: region
  columns { at: date  region: string  score: int  minutes: float? }
}
metric promoter_share { from: answers formula: count(where score >= 9) / count() }
metric nps { from: answers formula: 100 * (count(where score >= 9) - count(where score <= 6)) / count() }
metric mean_minutes { from: answers formula: avg(minutes) }
metric total_minutes { from: answers formula: sum(minutes) }
metric sampled_share { from: answers formula: count(where score >= 9) / count() min_sample: 20 }
"#;

// Scores 10, 9 x6, 8, 3, 5: 7 promoters (>= 9), 2 detractors (<= 6) of
// 10. Minutes 2, 4, 4, 5, 10 on five rows (the rest null): mean 5.
const ANSWERS: &str = "at,region,score,minutes\n\
2026-01-01,EU,10,2\n\
2026-01-02,EU,9,4\n\
2026-01-03,EU,9,4\n\
2026-01-04,EU,9,5\n\
2026-01-05,EU,9,10\n\
2026-01-06,US,9,\n\
2026-01-07,US,9,\n\
2026-01-08,US,8,\n\
2026-01-09,US,3,\n\
2026-01-10,US,5,\n";

fn query(args: &[&str]) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("lib.yard"), LIBRARY).unwrap();
    std::fs::write(dir.path().join("answers.csv"), ANSWERS).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .arg("query")
        .args(args)
        .args(["--ci", "--format", "json", "--spec"])
        .arg(dir.path())
        .output()
        .expect("run yardstick");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .cloned()
        .unwrap()
}

fn near(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-6)
}

#[test]
fn a_ratio_of_counts_gets_the_wilson_interval() {
    let rows = query(&["promoter_share"]);
    // p = 0.7, n = 10, z² = 3.841459: centre (0.7 + 0.192073) / 1.384146
    // = 0.644494, half 1.959964 * sqrt(0.021 + 0.009604) / 1.384146 =
    // 0.247716 → [0.396778, 0.892209].
    assert!(near(&rows[0]["promoter_share"], 0.7));
    assert!(near(&rows[0]["promoter_share_lo"], 0.396_778_147));
    assert!(near(&rows[0]["promoter_share_hi"], 0.892_208_733));
}

#[test]
fn an_nps_gets_the_difference_of_proportions_interval() {
    let rows = query(&["nps"]);
    // 100 * (0.7 - 0.2) = 50; SE = sqrt((0.7 + 0.2 - 0.5²) / 10) =
    // sqrt(0.065) = 0.254951; 1.959964 * 0.254951 = 0.499695 →
    // 100 * [0.000305, 0.999695] = [0.030527, 99.969473].
    assert!(near(&rows[0]["nps"], 50.0));
    assert!(near(&rows[0]["nps_lo"], 0.030_526_984));
    assert!(near(&rows[0]["nps_hi"], 99.969_473_016));
}

#[test]
fn an_average_gets_the_t_interval() {
    let rows = query(&["mean_minutes"]);
    // n = 5, mean 5, squared deviations 9 + 1 + 1 + 0 + 25 = 36, s² = 9,
    // s = 3; half = 2.776445 * 3 / sqrt(5) = 3.724992 → [1.275008,
    // 8.724992].
    assert!(near(&rows[0]["mean_minutes"], 5.0));
    assert!(near(&rows[0]["mean_minutes_lo"], 1.275_008_005));
    assert!(near(&rows[0]["mean_minutes_hi"], 8.724_991_995));
}

#[test]
fn other_formulas_withheld_values_and_tiny_samples_get_null() {
    let rows = query(&["total_minutes", "sampled_share"]);
    assert!(near(&rows[0]["total_minutes"], 25.0));
    assert!(rows[0]["total_minutes_lo"].is_null() && rows[0]["total_minutes_hi"].is_null());
    // Withheld by min_sample 20: no value, no interval.
    assert!(rows[0]["sampled_share"].is_null());
    assert!(rows[0]["sampled_share_lo"].is_null() && rows[0]["sampled_share_hi"].is_null());
    // By region: EU's minutes 2, 4, 4, 5, 10 (mean 5, as above); US has
    // no minutes (no mean, no interval). US promoters 2 of 5: p = 0.4,
    // z²/n = 0.768292: centre (0.4 + 0.384146) / 1.768292 = 0.443448;
    // half 1.959964 * sqrt(0.048 + 0.038415) / 1.768292 = 0.325827 →
    // [0.117621, 0.769276].
    let rows = query(&["mean_minutes", "promoter_share", "--by", "region"]);
    assert_eq!(rows[0]["region"], "EU");
    assert!(near(&rows[0]["mean_minutes_lo"], 1.275_008_005));
    assert!(rows[1]["mean_minutes"].is_null() && rows[1]["mean_minutes_lo"].is_null());
    assert!(near(&rows[1]["promoter_share_lo"], 0.117_620_774));
    assert!(near(&rows[1]["promoter_share_hi"], 0.769_275_719));
}
