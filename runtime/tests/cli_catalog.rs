//! Charts and the catalog through the binary: `query --chart`, the table's
//! sparkline column and `docs --out`, on a small library whose monthly
//! counts are worked out by hand in the comments, and on `specs/cx`. The
//! charts are checked by their geometry: points of values that step
//! evenly lie evenly apart, the SLA target's dashes at its value's height.
//! (`tests/browser/catalog.py`, run by `.ci/run`, clicks through the same
//! pages in Chromium.)

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const LIBRARY: &str = r#"
owner desk {
  name: "Order <Desk> & co"
  escalates_to: boss
}
owner boss {
}
outcome growth {
  owner: boss
  measured_by: orders_count
}
source orders {
  path: "orders.csv"
  time: at
  dimensions: region
  columns {
    at: date
    region: string
    amount: float
  }
}
/// Orders counted. <script>alert("x")</script> & more
metric orders_count {
  title: "Orders <b>counted</b>"
  version: 2
  owner: desk
  tier: leading
  drives: growth after 1mo
  unit: count
  from: orders
  where: amount > 0
  formula: count()
  dimensions: region
  sla {
    target: >= 3
  }
  changelog {
    2: "Only orders of some <i>amount</i>"
  }
}
metric big_orders variant of orders_count {
  where: amount >= 10
}
metric double_orders {
  owner: boss
  formula: 2 * orders_count
}
"#;

// Counted orders (amount > 0) by month and region:
//   Jan: EU 1, US 2 (3)   Feb: EU 2, US none (2)
//   Mar: EU 3, US 1 (4)   Apr: EU 1, US 4 (5); April's EU 0 is not counted.
const DATA: &str = "at,region,amount\n\
2026-01-05,EU,5\n\
2026-01-06,US,10\n\
2026-01-07,US,20\n\
2026-02-02,EU,5\n\
2026-02-03,EU,6\n\
2026-03-01,EU,5\n\
2026-03-02,EU,6\n\
2026-03-03,EU,7\n\
2026-03-04,US,30\n\
2026-04-01,EU,8\n\
2026-04-02,EU,0\n\
2026-04-03,US,11\n\
2026-04-04,US,12\n\
2026-04-05,US,13\n\
2026-04-06,US,14\n";

fn library() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("lib.yard"), LIBRARY).expect("write library");
    std::fs::write(dir.path().join("orders.csv"), DATA).expect("write data");
    dir
}

fn yardstick(spec: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .args(["--spec", &spec.to_string_lossy()])
        .output()
        .expect("run yardstick")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn cx() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/cx")
}

/// The point lists of the SVG's polylines.
fn polylines(svg: &str) -> Vec<Vec<(f64, f64)>> {
    svg.split("<polyline")
        .skip(1)
        .filter_map(|element| {
            let points = element.split("points=\"").nth(1)?.split('"').next()?;
            Some(
                points
                    .split_whitespace()
                    .filter_map(|p| {
                        let (x, y) = p.split_once(',')?;
                        Some((x.parse().ok()?, y.parse().ok()?))
                    })
                    .collect(),
            )
        })
        .collect()
}

/// Whether `a` and `b` are within a pixel and a half (points are whole
/// pixels).
fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1.5
}

#[test]
fn a_series_table_gets_a_sparkline_per_group_and_csv_does_not() {
    let dir = library();
    let out = yardstick(
        dir.path(),
        &[
            "query",
            "orders_count",
            "--by",
            "region",
            "--grain",
            "month",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // EU 1,2,3,1 over 1..3: steps 0, 3.5 -> 4, 7, 0. US 2,-,1,4 over 1..4:
    // 7/3 = 2.33 -> 2, a space for February, 0, 7.
    assert_eq!(
        text(&out.stdout),
        "by month, 2026-01-01 to 2026-04-30\n\
         region  period      orders_count  orders_count trend\n\
         ------  ----------  ------------  ------------------\n\
         EU      2026-01-01             1  ▁▅█▁\n\
         EU      2026-02-01             2\n\
         EU      2026-03-01             3\n\
         EU      2026-04-01             1\n\
         US      2026-01-01             2  ▃ ▁█\n\
         US      2026-03-01             1\n\
         US      2026-04-01             4\n"
    );
    // Overall 3,2,4,5 over 2..5: 7/3 -> 2, 0, 14/3 -> 5, 7.
    let overall = yardstick(dir.path(), &["query", "orders_count", "--grain", "month"]);
    assert!(
        text(&overall.stdout).contains("2026-01-01             3  ▃▁▆█\n"),
        "{}",
        text(&overall.stdout)
    );
    // One value is not a series: no trend column.
    let one = yardstick(dir.path(), &["query", "orders_count"]);
    assert_eq!(
        text(&one.stdout),
        // The newest row is on 2026-04-06, the default as-of date.
        "as of 2026-04-06\norders_count\n------------\n          14\n"
    );
    let csv = yardstick(
        dir.path(),
        &[
            "query",
            "orders_count",
            "--by",
            "region",
            "--grain",
            "month",
            "--format",
            "csv",
        ],
    );
    assert!(
        text(&csv.stdout).starts_with("region,period,orders_count\nEU,2026-01-01,1\n"),
        "{}",
        text(&csv.stdout)
    );
    assert!(!text(&csv.stdout).contains('▁'));
}

#[test]
fn chart_draws_a_line_per_group_at_the_heights_of_the_values() {
    let dir = library();
    let svg_path = dir.path().join("orders.svg");
    let out = yardstick(
        dir.path(),
        &[
            "query",
            "orders_count",
            "--by",
            "region",
            "--grain",
            "month",
            "--chart",
            &svg_path.to_string_lossy(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("orders_count trend"),
        "the table still prints"
    );
    let svg = std::fs::read_to_string(&svg_path).expect("the chart is written");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(
        svg.contains(">\ncount\n</text>"),
        "the unit labels the y axis"
    );
    assert!(svg.contains("region=EU") && svg.contains("region=US"));
    assert!(svg.contains("SLA target &gt;= 3"));
    assert!(
        svg.contains("Orders &lt;b&gt;counted&lt;/b&gt;"),
        "the title is escaped"
    );
    let lines = polylines(&svg);
    // EU: 1, 2, 3, 1 for four months, evenly spaced across.
    let eu = lines
        .iter()
        .find(|l| l.len() == 4)
        .unwrap_or_else(|| panic!("a four-point line for EU in {lines:?}"));
    let step = eu[1].0 - eu[0].0;
    assert!(step > 0.0 && near(eu[2].0 - eu[1].0, step) && near(eu[3].0 - eu[2].0, step));
    // Equal steps of value are equal steps of height; higher is up.
    let unit = eu[0].1 - eu[1].1;
    assert!(unit > 0.0, "{eu:?}");
    assert!(
        near(eu[1].1 - eu[2].1, unit) && near(eu[3].1, eu[0].1),
        "{eu:?}"
    );
    // US: January alone, then March (1) and April (4), February a gap.
    let us = lines
        .iter()
        .find(|l| l.len() == 2 && near(l[1].0 - l[0].0, step) && !near(l[0].1, l[1].1))
        .unwrap_or_else(|| panic!("a two-point line for US in {lines:?}"));
    assert!(near(us[0].0, eu[2].0) && near(us[1].0, eu[3].0), "{us:?}");
    assert!(
        near(us[0].1, eu[0].1),
        "US March (1) is as high as EU January (1)"
    );
    assert!(
        near(us[0].1 - us[1].1, 3.0 * unit),
        "US 1 -> 4 is three steps up"
    );
    // The target (3) is dashed at EU March's height.
    let dashes: Vec<_> = lines
        .iter()
        .filter(|l| l.len() == 2 && near(l[0].1, l[1].1) && near(l[0].1, eu[2].1))
        .collect();
    assert!(dashes.len() > 3, "the target is dashed: {lines:?}");
}

#[test]
fn chart_needs_a_series() {
    let dir = library();
    let svg_path = dir.path().join("one.svg");
    let out = yardstick(
        dir.path(),
        &[
            "query",
            "orders_count",
            "--chart",
            &svg_path.to_string_lossy(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`--chart` draws a series: add `--grain"));
    assert!(out.stdout.is_empty(), "nothing is printed");
    assert!(!svg_path.exists());
    // A chart onto a folder fails before the result is printed.
    let out = yardstick(
        dir.path(),
        &[
            "query",
            "orders_count",
            "--grain",
            "month",
            "--chart",
            &dir.path().to_string_lossy(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is a directory"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "nothing is printed");
}

/// Every relative link of every page of `root` lands on a file, and on an
/// element with the link's `#id`.
fn links_resolve(root: &Path) -> usize {
    let mut pages = vec![root.join("index.html")];
    pages.extend(
        std::fs::read_dir(root.join("metrics"))
            .expect("metrics/")
            .map(|e| e.expect("entry").path()),
    );
    let mut checked = 0;
    for page in &pages {
        let html = std::fs::read_to_string(page).expect("page");
        for href in html.split("href=\"").skip(1) {
            let href = href.split('"').next().unwrap();
            let (file, anchor) = href.split_once('#').unwrap_or((href, ""));
            let target = page.parent().unwrap().join(file);
            assert!(
                target.is_file(),
                "{}: `{href}` leads nowhere",
                page.display()
            );
            if !anchor.is_empty() {
                let there = std::fs::read_to_string(&target).unwrap();
                assert!(
                    there.contains(&format!("id=\"{anchor}\"")),
                    "{}: no #{anchor} in {}",
                    page.display(),
                    target.display()
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn docs_writes_an_index_and_a_page_per_metric_all_escaped() {
    let dir = library();
    let out_dir = dir.path().join("site");
    let out = yardstick(dir.path(), &["docs", "--out", &out_dir.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let names: BTreeSet<String> = std::fs::read_dir(out_dir.join("metrics"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = ["big_orders.html", "double_orders.html", "orders_count.html"]
        .map(str::to_owned)
        .into();
    assert_eq!(names, expected);
    assert!(links_resolve(&out_dir) > 10);
    let index = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    let page = std::fs::read_to_string(out_dir.join("metrics/orders_count.html")).unwrap();
    // Hostile text is shown, not run: the index's one script is the search.
    assert_eq!(index.matches("<script").count(), 1);
    assert!(index.contains("id=\"search\""));
    assert!(!page.contains("<script"));
    for html in [&index, &page] {
        assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more"));
        assert!(html.contains("Orders &lt;b&gt;counted&lt;/b&gt;"));
        assert!(!html.contains("<b>counted"));
    }
    assert!(index.contains("Order &lt;Desk&gt; &amp; co"));
    // The page: formula and filter as written, owner with escalation, SLA,
    // drives, dependents, changelog.
    for shown in [
        "<code id=\"formula\">count()</code>",
        "where <code>amount &gt; 0</code>",
        "desk (Order &lt;Desk&gt; &amp; co)",
        "desk → boss",
        "target &gt;= 3",
        "href=\"../index.html#outcome-growth\">growth</a> after 1mo",
        "href=\"double_orders.html\">double_orders</a>",
        "href=\"big_orders.html\">big_orders</a> (variant)",
        "Only orders of some &lt;i&gt;amount&lt;/i&gt;",
        "yardstick query orders_count --grain month --last 12mo",
    ] {
        assert!(
            page.contains(shown),
            "`{shown}` is not on the page:\n{page}"
        );
    }
    // The chart: the four months 3, 2, 4, 5 (whole library's data ends in
    // April, so the last 12 months hold all four).
    let lines = polylines(&page);
    let data = lines
        .iter()
        .find(|l| l.len() == 4)
        .unwrap_or_else(|| panic!("a four-point line in {lines:?}"));
    let unit = data[0].1 - data[3].1; // 3 -> 5: two steps up
    assert!(unit > 0.0);
    assert!(
        near(data[1].1 - data[0].1, unit / 2.0),
        "3 -> 2 is one step down"
    );
    assert!(near(data[1].1 - data[2].1, unit), "2 -> 4 is two steps up");
    // The variant's filters: its base's and its own, both as written.
    let variant = std::fs::read_to_string(out_dir.join("metrics/big_orders.html")).unwrap();
    assert!(variant.contains("where <code>amount &gt; 0</code>"));
    assert!(variant.contains("where <code>amount &gt;= 10</code>"));
    assert!(variant.contains("variant of <a href=\"orders_count.html\">orders_count</a>"));
    let derived = std::fs::read_to_string(out_dir.join("metrics/double_orders.html")).unwrap();
    assert!(derived.contains("<code id=\"formula\">2 * orders_count</code>"));
    // The folder holds only the catalog: no temporary folder beside it.
    let beside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
}

#[test]
fn docs_without_data_says_why_there_is_no_chart() {
    let dir = library();
    std::fs::remove_file(dir.path().join("orders.csv")).unwrap();
    let out_dir = dir.path().join("site");
    let out = yardstick(dir.path(), &["docs", "--out", &out_dir.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(out_dir.join("metrics/orders_count.html")).unwrap();
    assert!(page.contains("not drawn: no data"), "{page}");
    assert!(page.contains("orders.csv"), "names the missing file");
    assert!(!page.contains("<svg"));
    // --no-data reads nothing, even where data is.
    let dir = library();
    let out_dir = dir.path().join("site");
    let out = yardstick(
        dir.path(),
        &["docs", "--no-data", "--out", &out_dir.to_string_lossy()],
    );
    assert_eq!(out.status.code(), Some(0));
    let page = std::fs::read_to_string(out_dir.join("metrics/orders_count.html")).unwrap();
    assert!(page.contains("charts were not asked for"));
}

#[test]
fn docs_replaces_its_own_folder_and_no_other() {
    let dir = library();
    let out_dir = dir.path().join("site");
    let out_arg = out_dir.to_string_lossy().into_owned();
    assert_eq!(
        yardstick(dir.path(), &["docs", "--out", &out_arg])
            .status
            .code(),
        Some(0)
    );
    std::fs::write(out_dir.join("stale.html"), "old").unwrap();
    assert_eq!(
        yardstick(dir.path(), &["docs", "--out", &out_arg])
            .status
            .code(),
        Some(0)
    );
    assert!(
        !out_dir.join("stale.html").exists(),
        "the folder is replaced whole"
    );
    // A folder of other files is not replaced.
    let theirs = dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("notes.txt"), "mine").unwrap();
    let refused = yardstick(dir.path(), &["docs", "--out", &theirs.to_string_lossy()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("holds files Yardstick did not write"));
    assert_eq!(
        std::fs::read_to_string(theirs.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(std::fs::read_dir(&theirs).unwrap().count(), 1);
    // A file is not a folder.
    let file = dir.path().join("orders.csv");
    let refused = yardstick(dir.path(), &["docs", "--out", &file.to_string_lossy()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("is not a folder"));
    // A bad window is a bad argument, pointed at.
    let bad = yardstick(
        dir.path(),
        &["docs", "--out", &out_arg, "--grain", "fortnight"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("`fortnight` is not a grain"));
}

#[test]
fn docs_of_the_reference_library() {
    let out_dir = tempfile::tempdir().unwrap();
    let site = out_dir.path().join("catalog");
    let out = yardstick(&cx(), &["docs", "--out", &site.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // One page per metric the library declares.
    let declared: usize = std::fs::read_dir(cx())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yard"))
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .filter(|l| l.starts_with("metric "))
                .count()
        })
        .sum();
    assert_eq!(
        std::fs::read_dir(site.join("metrics")).unwrap().count(),
        declared
    );
    assert!(links_resolve(&site) > declared * 3);
    let nps = std::fs::read_to_string(site.join("metrics/nps.html")).unwrap();
    // As written in specs/cx/experience.yard.
    assert!(
        nps.contains("100 * (count(where score &gt;= 9) - count(where score &lt;= 6)) / count()")
    );
    assert!(nps.contains("cx_insights"));
    assert!(nps.contains("SLA target &gt;= 30"));
    let longest = polylines(&nps).iter().map(Vec::len).max().unwrap_or(0);
    assert!(
        longest >= 12,
        "twelve months or more of NPS: {longest} points"
    );
}
