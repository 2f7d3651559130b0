//! The editor files in `docs/editor/vscode/`: the extension's manifest
//! points at files that exist and starts `yardstick lsp`, and the
//! TextMate grammar is JSON whose patterns compile, whose scopes give
//! every keyword of `grammar/yardstick.pest` a keyword colour, and whose
//! function and column-type words are the compiler's own lists.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn extension() -> PathBuf {
    root().join("docs/editor/vscode")
}

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every pattern of the grammar (nested ones too), with the scope names
/// it gives (its `name` and its captures').
fn patterns(grammar: &Value) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<(String, Vec<String>)>) {
        match v {
            Value::Object(map) => {
                for key in ["match", "begin", "end"] {
                    if let Some(Value::String(re)) = map.get(key) {
                        let mut scopes: Vec<String> = map
                            .get("name")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                            .into_iter()
                            .collect();
                        if let Some(Value::Object(caps)) = map.get("captures") {
                            scopes.extend(
                                caps.values()
                                    .filter_map(|c| c["name"].as_str().map(str::to_owned)),
                            );
                        }
                        out.push((re.clone(), scopes));
                    }
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(grammar, &mut out);
    out
}

/// The lowercase words a regex names (`\b(and|or)\b` names `and`, `or`).
fn words(re: &str) -> BTreeSet<String> {
    re.split(|c: char| !(c.is_ascii_lowercase() || c == '_'))
        .filter(|w| w.len() > 1)
        .map(str::to_owned)
        .collect()
}

/// The keywords of the pest grammar: each `kw_*` rule's word and the
/// reserved words of expressions.
fn pest_keywords() -> BTreeSet<String> {
    let pest = std::fs::read_to_string(root().join("grammar/yardstick.pest")).unwrap();
    let mut out = BTreeSet::new();
    for line in pest.lines() {
        let line = line.trim();
        let quoted = |s: &str| -> Vec<String> {
            s.split('"').skip(1).step_by(2).map(str::to_owned).collect()
        };
        if line.starts_with("kw_") {
            out.extend(quoted(line).into_iter().take(1));
        }
        if line.starts_with("(\"and\"") {
            out.extend(quoted(line));
        }
    }
    out
}

#[test]
fn the_grammar_colours_every_keyword_of_the_language() {
    let grammar = json(&extension().join("syntaxes/yard.tmLanguage.json"));
    assert_eq!(grammar["scopeName"], "source.yard");
    let patterns = patterns(&grammar);
    assert!(patterns.len() > 10);
    for (re, scopes) in &patterns {
        regex::Regex::new(re).unwrap_or_else(|e| panic!("{re}: {e}"));
        for scope in scopes {
            assert!(scope.ends_with(".yard"), "{scope}");
        }
    }
    let keywords = pest_keywords();
    // The pest grammar's keywords, read from it: declarations, blocks,
    // tests, and the words of expressions.
    for expected in [
        "metric", "source", "join", "expect", "within", "between", "null", "true",
    ] {
        assert!(keywords.contains(expected), "{keywords:?}");
    }
    let is_keyword_scope = |s: &String| {
        s.starts_with("keyword.") || s.starts_with("storage.type.") || s == "constant.language.yard"
    };
    for keyword in &keywords {
        let covered = patterns
            .iter()
            .any(|(re, scopes)| words(re).contains(keyword) && scopes.iter().any(is_keyword_scope));
        assert!(covered, "no keyword scope covers `{keyword}`");
    }
}

#[test]
fn the_grammar_knows_the_functions_and_column_types_of_the_compiler() {
    let grammar = json(&extension().join("syntaxes/yard.tmLanguage.json"));
    let patterns = patterns(&grammar);
    let with_scope = |scope: &str| -> BTreeSet<String> {
        let (re, _) = patterns
            .iter()
            .find(|(_, scopes)| scopes.iter().any(|s| s == scope))
            .unwrap_or_else(|| panic!("no pattern gives {scope}"));
        words(re)
    };
    let functions: BTreeSet<String> = yardstick_compiler::functions::Function::ALL
        .iter()
        .map(|f| f.name().to_owned())
        .collect();
    assert_eq!(with_scope("support.function.yard"), functions);
    let types: BTreeSet<String> = yardstick_compiler::ide::fields::COLUMN_TYPES
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
    let mut in_grammar = with_scope("support.type.column.yard");
    // The same pattern reads the field key before the type.
    in_grammar.retain(|w| types.contains(w));
    assert_eq!(in_grammar, types);
    let declaration = patterns
        .iter()
        .find(|(re, _)| re.contains("source|owner"))
        .map(|(re, _)| regex::Regex::new(re).unwrap())
        .unwrap();
    let caps = declaration.captures("metric nps {").unwrap();
    assert_eq!((&caps[1], &caps[2]), ("metric", "nps"));
}

#[test]
fn the_extension_starts_the_language_server_on_yard_files() {
    let dir = extension();
    let manifest = json(&dir.join("package.json"));
    let contributes = &manifest["contributes"];
    assert_eq!(contributes["languages"][0]["id"], "yard");
    assert_eq!(contributes["languages"][0]["extensions"][0], ".yard");
    let grammar = &contributes["grammars"][0];
    assert_eq!(grammar["language"], "yard");
    assert_eq!(grammar["scopeName"], "source.yard");
    for file in [
        grammar["path"].as_str().unwrap(),
        contributes["languages"][0]["configuration"]
            .as_str()
            .unwrap(),
        manifest["main"].as_str().unwrap(),
    ] {
        assert!(dir.join(file).is_file(), "{file} is missing");
    }
    json(&dir.join("language-configuration.json"));
    let client = std::fs::read_to_string(dir.join("extension.js")).unwrap();
    assert!(client.contains(r#"args: ["lsp"]"#));
    assert!(client.contains(r#"language: "yard""#));
    assert!(manifest["dependencies"]["vscode-languageclient"].is_string());
}
