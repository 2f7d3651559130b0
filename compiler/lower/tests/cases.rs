//! The lowered plan of every `// query:` line of the `ok` cases under
//! `tests/check/ok` (the compiler's case suite snapshots their requests):
//! a snapshot per case, beside the compiler's, built without data over a
//! catalog of the declared schemas, with the data taken to run from
//! 2026-01-01 to 2026-06-30.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // a test: failing loudly is the point

#[path = "../../../tests/support/case_files.rs"]
mod case_files;
#[path = "../../../tests/support/declared_catalog.rs"]
mod declared_catalog;

use case_files::{cases, cases_root, queries};
use declared_catalog::Declared;
use yardstick_lower::{DataRange, NaiveDate};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

#[test]
fn ok_cases_lower_their_queries() {
    let mut lowered_any = false;
    for case in cases("ok") {
        let compiled = yardstick_compiler::compile(case.files.clone());
        let mut sources = compiled.sources.clone();
        let mut out = String::new();
        for (text, args, problems) in queries(&case, &mut sources) {
            assert!(problems.is_empty(), "{}: {text}", case.name);
            let (request, diags) = yardstick_compiler::query::check(&compiled.library, &args);
            let request = request
                .unwrap_or_else(|| panic!("{}: {text}: {:?}", case.name, diags.iter().next()));
            let range = DataRange {
                oldest: Some(date("2026-01-01")),
                newest: Some(date("2026-06-30")),
                today: date("2026-06-30"),
            };
            let lowered = yardstick_lower::lower(
                &compiled.library,
                &request,
                range,
                &Declared(&compiled.library),
            )
            .unwrap_or_else(|e| panic!("{}: {text}: {e}", case.name));
            out.push_str(&format!(
                "=== query {text}\n{}\n",
                lowered.plan.display_indent()
            ));
            lowered_any = true;
        }
        if !out.is_empty() {
            insta::with_settings!({
                snapshot_path => cases_root().join("snapshots"),
                prepend_module_to_snapshot => false,
                omit_expression => true,
            }, {
                insta::assert_snapshot!(format!("plan__{}", case.name), out);
            });
        }
    }
    assert!(lowered_any, "no ok case has a `// query:` line");
}
