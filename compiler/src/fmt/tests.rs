//! The layout rules on small files, expected texts written by hand.

use super::{format, NotFormatted};
use crate::span::FileId;

fn fmt(text: &str) -> String {
    match format(FileId(0), text) {
        Ok(out) => out,
        Err(e) => unreachable!("{text:?} did not format: {e:?}"),
    }
}

#[test]
fn one_line_blocks_open_up_one_entry_per_line() {
    let out = fmt("metric contacts_2h { from: contacts formula: count() lookback: 2h }\n");
    assert_eq!(
        out,
        "metric contacts_2h {\n  from: contacts\n  formula: count()\n  lookback: 2h\n}\n"
    );
}

#[test]
fn spaces_are_normalised_around_operators_commas_and_calls() {
    let out = fmt(
        "metric   nps{\nformula :100*(count( where score>=9)-count(where score<=6))/count ( )\n\
         assert: between -100 and 100\ndimensions:a,b.c\ntarget : >=-5\nx: [1,2 ,3]\nw: not(a in [\"x\"])\nunit: usd / min\n}",
    );
    assert_eq!(
        out,
        "metric nps {\n  formula: 100 * (count(where score >= 9) - count(where score <= 6)) / count()\n  \
         assert: between -100 and 100\n  dimensions: a, b.c\n  target: >= -5\n  x: [1, 2, 3]\n  \
         w: not (a in [\"x\"])\n  unit: usd/min\n}\n"
    );
}

#[test]
fn sub_blocks_columns_and_joins_nest_and_trailing_comments_align() {
    let out = fmt("source s { path: \"s.csv\"\n\
         join accounts on account_id\n\
         columns { id: string // the key\n\
         region: string? @usd // where\n  n: int\n }\n\
         sla { target: >= 1 }\n}\n");
    assert_eq!(
        out,
        "source s {\n  path: \"s.csv\"\n  join accounts on account_id\n  columns {\n    \
         id: string            // the key\n    region: string? @usd  // where\n    n: int\n  }\n  \
         sla {\n    target: >= 1\n  }\n}\n"
    );
}

#[test]
fn declarations_get_one_blank_line_and_comments_stay_where_they_were() {
    let out = fmt(
        "// header\n\n\n/// doc\nowner a { name: \"A\" }\nowner b {\n\n\n  name: \"B\"\n\n  \
         // about contact\n  contact: \"b@x\"\n\n}\n\n\n\n// trailing words\n",
    );
    assert_eq!(
        out,
        "// header\n\n/// doc\nowner a {\n  name: \"A\"\n}\n\nowner b {\n  name: \"B\"\n\n  \
         // about contact\n  contact: \"b@x\"\n}\n\n// trailing words\n"
    );
}

#[test]
fn tests_keep_given_headers_and_one_row_per_line() {
    let out = fmt("test t { given tickets(id,n){ (\"a\",1) (\"b\", -2) }\nexpect m by id as of @2026-06-30 {(\"a\",1)}\n\
         expect m as of @2026-06-30T00:00:00Z == 1/3 within 0.001 }");
    assert_eq!(
        out,
        "test t {\n  given tickets (id, n) {\n    (\"a\", 1)\n    (\"b\", -2)\n  }\n  \
         expect m by id as of @2026-06-30 {\n    (\"a\", 1)\n  }\n  \
         expect m as of @2026-06-30T00:00:00Z == 1 / 3 within 0.001\n}\n"
    );
}

#[test]
fn line_breaks_inside_a_value_are_kept_as_continuations() {
    let out =
        fmt("metric m {\n  formula: sum(a)\n + sum(b) // more\n   - sum(c)\n  unit: usd\n}\n");
    assert_eq!(
        out,
        "metric m {\n  formula: sum(a)\n      + sum(b)  // more\n      - sum(c)\n  unit: usd\n}\n"
    );
}

#[test]
fn unknown_punctuation_keeps_its_spacing_and_empty_blocks_close_up() {
    // Not Yardstick today, but the layout must not depend on knowing it.
    let pieces = super::lex::pieces("metric m {\n  x: a=>b | c\n  s {\n  }\n}\n");
    assert_eq!(
        super::layout::layout(&pieces),
        "metric m {\n  x: a=>b | c\n  s {}\n}\n"
    );
}

#[test]
fn formatting_is_idempotent_on_these_examples() {
    for text in [
        "metric m { from: s formula: count() }",
        "// a\nmetric m {\n  formula: sum(a)\n + sum(b)\n}\n/// d\nmetric n { formula: m * 2 }",
    ] {
        let once = fmt(text);
        assert_eq!(fmt(&once), once);
    }
}

#[test]
fn a_file_that_does_not_parse_is_not_formatted() {
    let Err(NotFormatted::Unparsed(diags)) = format(FileId(0), "metric m { formula: = 1 }\n")
    else {
        unreachable!("a syntax error is reported")
    };
    assert!(diags.has_errors());
}
