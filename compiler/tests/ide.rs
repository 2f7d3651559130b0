//! The editor queries (`ide`) on the reference library `specs/cx`: what a
//! name refers to and where it is declared, checked against the places
//! found in the files' own text; and, at every offset of every file (and
//! of the check cases, truncated), no panic and no span outside its file.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use std::path::Path;
use yardstick_compiler::ide::complete::{complete, ItemKind};
use yardstick_compiler::ide::symbol::{definition, symbol_at, Symbol};
use yardstick_compiler::ide::Analysis;
use yardstick_compiler::span::{FileId, SourceFile, Span};

fn read_dir(dir: &Path) -> Vec<SourceFile> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yard"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| SourceFile {
            path: p.file_name().unwrap().to_string_lossy().into_owned(),
            text: std::fs::read_to_string(&p).unwrap(),
        })
        .collect()
}

fn cx() -> Analysis {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/cx");
    Analysis::new(read_dir(&dir), None)
}

fn text_of(analysis: &Analysis, file: FileId) -> &str {
    &analysis.compiled.sources.file(file).unwrap().text
}

/// The offset of `needle` in `file`, plus `skip` bytes.
fn offset(analysis: &Analysis, file: &str, needle: &str, skip: usize) -> (FileId, u32) {
    let id = analysis.file_id(file).unwrap();
    let at = text_of(analysis, id)
        .find(needle)
        .unwrap_or_else(|| panic!("{needle}"));
    (id, (at + skip) as u32)
}

/// The span of `name` where it stands after `before` in `file`.
fn span_after(analysis: &Analysis, file: &str, before: &str, name: &str) -> Span {
    let (id, at) = offset(analysis, file, &format!("{before}{name}"), before.len());
    Span {
        file: id,
        start: at,
        end: at + name.len() as u32,
    }
}

fn jump(analysis: &Analysis, file: &str, needle: &str, skip: usize) -> (Symbol, Option<Span>) {
    let (id, at) = offset(analysis, file, needle, skip);
    let found = symbol_at(analysis, id, at).unwrap_or_else(|| panic!("nothing at {needle}"));
    let target = definition(analysis, &found.symbol);
    (found.symbol, target)
}

#[test]
fn names_lead_to_their_declarations() {
    let a = cx();
    let owners = "owners_and_outcomes.yard";
    // `owner: cx_insights` in nps.
    let (symbol, target) = jump(&a, "experience.yard", "owner: cx_insights", 9);
    assert_eq!(symbol, Symbol::Owner("cx_insights".into()));
    assert_eq!(
        target,
        Some(span_after(&a, owners, "owner ", "cx_insights"))
    );
    // `from: surveys`.
    let (symbol, target) = jump(&a, "experience.yard", "from: surveys", 8);
    assert_eq!(symbol, Symbol::Source("surveys".into()));
    assert_eq!(
        target,
        Some(span_after(&a, "sources.yard", "source ", "surveys"))
    );
    // `variant of csat_rate`.
    let (symbol, target) = jump(&a, "experience.yard", "variant of csat_rate", 12);
    assert_eq!(symbol, Symbol::Metric("csat_rate".into()));
    assert_eq!(
        target,
        Some(span_after(&a, "experience.yard", "metric ", "csat_rate"))
    );
    // `drives: retention after 6mo`.
    let (symbol, target) = jump(&a, "experience.yard", "drives: retention", 10);
    assert_eq!(symbol, Symbol::Outcome("retention".into()));
    assert_eq!(
        target,
        Some(span_after(&a, owners, "outcome ", "retention"))
    );
    // A column of the metric's source, in its formula: `avg(score)` of ces.
    let (symbol, target) = jump(&a, "experience.yard", "avg(score)", 5);
    let score = Symbol::Column {
        source: "surveys".into(),
        name: "score".into(),
    };
    assert_eq!(symbol, score);
    assert_eq!(
        target,
        Some(span_after(&a, "sources.yard", "    ", "score: int")).map(|s| Span {
            end: s.start + "score".len() as u32,
            ..s
        })
    );
    // A joined column in a variant's dimensions: `accounts.segment`
    // (the variant reads its base's source, surveys, which joins accounts).
    let (symbol, target) = jump(&a, "experience.yard", "region, accounts.segment", 18);
    assert_eq!(
        symbol,
        Symbol::Column {
            source: "accounts".into(),
            name: "segment".into()
        }
    );
    assert_eq!(
        target,
        Some(span_after(&a, "sources.yard", "    ", "segment"))
    );
    // ... and its first part is the joined source.
    let (symbol, _) = jump(&a, "experience.yard", "region, accounts.segment", 10);
    assert_eq!(symbol, Symbol::Source("accounts".into()));
    // A derived formula names metrics.
    let (symbol, target) = jump(&a, "experience.yard", "40 * fcr", 6);
    assert_eq!(symbol, Symbol::Metric("fcr".into()));
    assert_eq!(
        target,
        Some(span_after(&a, "support.yard", "metric ", "fcr"))
    );
    // A test's given columns and expected metric.
    let (symbol, _) = jump(&a, "tests.yard", "given tickets (ticket_id", 16);
    assert_eq!(
        symbol,
        Symbol::Column {
            source: "tickets".into(),
            name: "ticket_id".into()
        }
    );
    let (symbol, _) = jump(&a, "tests.yard", "expect fcr as of", 8);
    assert_eq!(symbol, Symbol::Metric("fcr".into()));
}

#[test]
fn completion_offers_what_fits_the_cursor() {
    let a = cx();
    let labels = |text: &str| -> Vec<(String, ItemKind)> {
        let (items, _) = complete(&a, text, text.len());
        items.into_iter().map(|i| (i.label, i.kind)).collect()
    };
    let owners: Vec<_> = labels("metric m {\n  owner: ")
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    assert_eq!(
        owners,
        [
            "cx_insights",
            "cx_leadership",
            "finance",
            "quality_eng",
            "support_ops"
        ]
    );
    let outcomes: Vec<_> = labels("metric m {\n  drives: re")
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    assert_eq!(outcomes, ["retention"]);
    // In nps's formula: surveys' columns, its joined source, functions.
    let text = "metric nps {\n  from: surveys\n  formula: count(where s";
    let got = labels(text);
    assert!(got.contains(&("score".into(), ItemKind::Column)), "{got:?}");
    assert!(
        got.contains(&("survey_type".into(), ItemKind::Column)),
        "{got:?}"
    );
    assert!(got.contains(&("sum".into(), ItemKind::Function)), "{got:?}");
    assert_eq!(got.len(), 3, "{got:?}");
    // A derived formula (no `from`): metrics and functions allowed there.
    let got = labels("metric m {\n  formula: fc");
    assert_eq!(got, [("fcr".to_owned(), ItemKind::Metric)]);
    let got = labels("metric m {\n  formula: coal");
    assert_eq!(got, [("coalesce".to_owned(), ItemKind::Function)]);
    // Keys of an sla block; choices of a fixed field; column types.
    let got = labels("metric m {\n  sla {\n    ");
    let keys: Vec<_> = got.into_iter().map(|(l, _)| l).collect();
    assert_eq!(keys, ["freshness", "target", "review"]);
    let got = labels("outcome o {\n  direction: ");
    assert_eq!(got.len(), 2);
    let got = labels("source s {\n  columns {\n    id: str");
    assert_eq!(got, [("string".to_owned(), ItemKind::Value)]);
    // Inside a string or a comment: nothing.
    assert!(labels("metric m {\n  title: \"fr").is_empty());
    assert!(labels("metric m {\n  // from: ").is_empty());
}

fn within(text: &str, span: Span) -> bool {
    text.get(span.range()).is_some()
}

/// Queries at every offset of `analysis`'s files: no panic, spans inside.
fn query_everywhere(analysis: &Analysis, completion_step: usize) {
    for (id, file) in analysis.compiled.sources.files() {
        let text = &file.text;
        for at in 0..=text.len() + 2 {
            if let Some(found) = symbol_at(analysis, id, at as u32) {
                assert!(within(text, found.span), "{}: {found:?}", file.path);
                if let Some(target) = definition(analysis, &found.symbol) {
                    assert!(within(text_of(analysis, target.file), target));
                }
            }
            if at % completion_step == 0 {
                let (_, start) = complete(analysis, text, at);
                assert!(start <= at.min(text.len()) && text.is_char_boundary(start));
            }
        }
    }
}

#[test]
fn queries_anywhere_in_the_reference_library_are_safe() {
    query_everywhere(&cx(), 1);
}

#[test]
fn queries_anywhere_in_broken_and_truncated_files_are_safe() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/check/err");
    let mut files = read_dir(&root);
    for dir in std::fs::read_dir(&root).unwrap().flatten() {
        if dir.path().is_dir() {
            files.extend(read_dir(&dir.path()));
        }
    }
    assert!(!files.is_empty());
    for file in files {
        let cut = file.text.len() * 2 / 3;
        let cut = (0..=cut)
            .rev()
            .find(|&i| file.text.is_char_boundary(i))
            .unwrap();
        let truncated = SourceFile {
            path: "cut.yard".into(),
            text: file.text[..cut].to_owned(),
        };
        query_everywhere(&Analysis::new(vec![file, truncated], None), 5);
    }
}

#[test]
fn keys_already_given_are_not_offered_again() {
    let a = cx();
    let text = "metric m {\n  from: tickets\n  where: is_test\n  \n  formula: count()\n}\n";
    let at = text.find("  \n").unwrap() + 2;
    let (items, _) = complete(&a, text, at);
    let keys: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert!(
        !keys.contains(&"from") && !keys.contains(&"formula"),
        "{keys:?}"
    );
    // `where` may repeat; `owner` is not given yet.
    assert!(
        keys.contains(&"where") && keys.contains(&"owner"),
        "{keys:?}"
    );
}
