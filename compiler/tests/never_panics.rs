//! Mangled inputs never panic the compiler, and every span it reports lies
//! inside its file on character boundaries. Inputs are the check cases,
//! truncated, spliced, salted with random bytes and tokens, and deeply
//! nested.

#![allow(clippy::panic, clippy::unwrap_used)] // a test or tool: failing loudly is the point

use proptest::prelude::*;
use std::path::Path;
use yardstick_compiler::span::SourceFile;

fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/check");
    let mut texts = Vec::new();
    for dir in ["ok", "err"] {
        for entry in walk(&root.join(dir)) {
            if let Ok(text) = std::fs::read_to_string(&entry) {
                texts.push(text);
            }
        }
    }
    assert!(!texts.is_empty(), "no check cases found");
    texts
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "yard") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn floor_char(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Compiles and checks the span invariant; formats each file that parses
/// (the formatter's own check: same tokens, still parses) and formats it
/// again (nothing more changes).
fn check(texts: Vec<String>) {
    for (i, text) in texts.iter().enumerate() {
        let id = yardstick_compiler::span::FileId(i as u32);
        match yardstick_compiler::fmt::format(id, text) {
            Ok(once) => {
                let twice = yardstick_compiler::fmt::format(id, &once);
                assert!(
                    matches!(&twice, Ok(t) if *t == once),
                    "formatting {text:?} twice differs: {once:?} then {twice:?}"
                );
            }
            Err(yardstick_compiler::fmt::NotFormatted::Unparsed(_)) => {}
            Err(yardstick_compiler::fmt::NotFormatted::Unsafe(why)) => {
                panic!("formatting {text:?}: {why}")
            }
        }
    }
    let files = texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| SourceFile {
            path: format!("f{i}.yard"),
            text,
        })
        .collect();
    let compiled = yardstick_compiler::compile(files);
    for d in compiled.diagnostics.iter() {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let file = compiled.sources.file(label.span.file).expect("span file");
            assert!(
                file.text.get(label.span.range()).is_some(),
                "{} has a span {:?} outside its file or off a char boundary",
                d.code,
                label.span
            );
        }
    }
}

const TOKENS: &[&str] = &[
    "metric ",
    "source ",
    "owner ",
    "outcome ",
    "test ",
    "variant of ",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ":",
    ",",
    ".",
    "*",
    "/",
    "+",
    "-",
    "==",
    ">=",
    "<",
    "\"",
    "\"s\"",
    "//",
    "///",
    "\n",
    " ",
    "where",
    "exclude",
    "formula",
    "from",
    "count()",
    "sum(x)",
    "@2026-01-01",
    "@2026-13-40T25:00:00Z",
    "90d",
    "3mo",
    "70%",
    "1.5",
    "-3",
    "null",
    "true",
    "and",
    "or",
    "not",
    "in",
    "is",
    "between",
    "after",
    "x",
    "tickets",
    "columns",
    "join",
    "given",
    "expect",
    "as of",
    "@usd",
    "?",
    "é",
    "\u{0}",
    "\t",
    "\r\n",
];

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200)
}

proptest! {
    // 200 cases, or PROPTEST_CASES (`.ci/run` fuzzes for longer).
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn truncated(pick in any::<prop::sample::Index>(), cut in any::<prop::sample::Index>()) {
        let corpus = corpus();
        let text = pick.get(&corpus);
        let at = floor_char(text, cut.index(text.len() + 1));
        check(vec![text[..at].to_owned()]);
    }

    #[test]
    fn spliced(
        a in any::<prop::sample::Index>(),
        b in any::<prop::sample::Index>(),
        i in any::<prop::sample::Index>(),
        j in any::<prop::sample::Index>(),
    ) {
        let corpus = corpus();
        let (a, b) = (a.get(&corpus), b.get(&corpus));
        let i = floor_char(a, i.index(a.len() + 1));
        let j = floor_char(b, j.index(b.len() + 1));
        check(vec![format!("{}{}", &a[..i], &b[j..]), b.clone()]);
    }

    #[test]
    fn salted_with_bytes(
        pick in any::<prop::sample::Index>(),
        salt in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20),
    ) {
        let corpus = corpus();
        let mut bytes = pick.get(&corpus).clone().into_bytes();
        for (at, byte) in salt {
            let i = at.index(bytes.len() + 1);
            bytes.insert(i, byte);
        }
        check(vec![String::from_utf8_lossy(&bytes).into_owned()]);
    }

    #[test]
    fn token_soup(tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..200)) {
        check(vec![tokens.concat()]);
    }

    #[test]
    fn salted_with_tokens(
        pick in any::<prop::sample::Index>(),
        salt in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(TOKENS)), 1..10),
    ) {
        let corpus = corpus();
        let mut text = pick.get(&corpus).clone();
        for (at, token) in salt {
            let i = floor_char(&text, at.index(text.len() + 1));
            text.insert_str(i, token);
        }
        check(vec![text]);
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let source = "source s { time: t columns { t: timestamp x: float } }\n";
    for n in [10, 31, 32, 33, 100, 5_000, 50_000] {
        let parens = format!(
            "{source}metric m {{ from: s formula: sum({}x{}) }}",
            "(".repeat(n),
            ")".repeat(n)
        );
        let unclosed = format!("{source}metric m {{ from: s formula: {}", "(".repeat(n));
        let negations = format!(
            "{source}metric m {{ from: s where: {}true formula: count() }}",
            "not ".repeat(n)
        );
        let minus = format!(
            "{source}metric m {{ from: s formula: {}count() }}",
            "-".repeat(n)
        );
        let chain = format!(
            "{source}metric m {{ from: s formula: count(){} }}",
            " + count()".repeat(n)
        );
        let braces = format!("{source}{}", "{".repeat(n));
        let lists = format!(
            "{source}metric m {{ from: s where: x in {}1{} formula: count() }}",
            "[".repeat(n),
            "]".repeat(n)
        );
        for text in [parens, unclosed, negations, minus, chain, braces, lists] {
            check(vec![text]);
        }
    }
}

/// Nesting the bracket pre-check cannot see the way the grammar does: text
/// the grammar skips as a recovered field or item (`bad_field`, `bad_item`)
/// while the pre-check reads a string or a comment there, or the reverse;
/// braces of a recovered `{ ... }` group mixed with other closers. The
/// parser's recursion must stay bounded on each (no stack overflow: the
/// parser has no stack probe, `syntax/limits.rs`), and unclosed braces of
/// a recovered group must not take time doubling with each (40 would have
/// taken months).
#[test]
fn nesting_hidden_from_the_pre_check_is_bounded() {
    let source = "source s { time: t columns { t: timestamp x: float } }\n";
    for n in [40, 60, 300, 5_000, 50_000] {
        let open = "(".repeat(n);
        let close = ")".repeat(n);
        let braces = "{".repeat(n);
        let texts = [
            // A quote in a recovered field: the pre-check reads a string to
            // the end of the line, the grammar a new declaration after `}`.
            format!(
                "{source}metric a {{ x ?\" }} metric b {{ from: s formula: sum({open}x{close}) }}"
            ),
            // An escaped line end after a quote in a recovered item.
            format!("{source}oops \"\\\nmetric b {{ from: s formula: sum({open}x{close}) }}"),
            // `//` in a recovered field is not a comment to the grammar.
            format!("{source}metric a {{ x ?{{ // {braces}\n}}"),
            // A quote inside a recovered `{ ... }` group.
            format!("{source}metric a {{ x ?{{ \"{braces}\n}}"),
            // Braces of a recovered group between other closers.
            format!("{source}metric a {{ x ?{}\n}}", "{)".repeat(n)),
            format!("{source}metric a {{ x ?{}\n}}", "{]".repeat(n)),
            // Strings with closers between calls: `f(\"))\", f(...`.
            format!(
                "{source}metric b {{ from: s formula: {}x{} }}",
                "sum(\"))\", ".repeat(n),
                ")".repeat(n)
            ),
            // A string continued over an escaped line end, closers after it.
            format!(
                "{source}metric b {{ from: s formula: {}x{} }}",
                "sum(\"\\\n)\", ".repeat(n),
                ")".repeat(n)
            ),
        ];
        for text in texts {
            check(vec![text]);
        }
    }
}

#[test]
fn empty_and_whitespace_files_are_fine() {
    for text in [
        "",
        " ",
        "\n\n",
        "// only a comment",
        "/// a dangling doc comment",
    ] {
        let compiled = yardstick_compiler::compile(vec![SourceFile {
            path: "a.yard".into(),
            text: text.into(),
        }]);
        assert!(compiled.diagnostics.is_empty(), "{text:?}");
    }
}
