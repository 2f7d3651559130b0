//! Explaining what pest could not parse: the position, what was expected
//! there and what was found, as a `yardstick::syntax::error` diagnostic.

use super::parser::{Cx, Rule};
use crate::diagnostics::{Code, Diagnostic};
use crate::span::Span;

impl Cx<'_, '_> {
    pub(super) fn report_pest_error(
        &mut self,
        base: usize,
        error: &pest::error::Error<Rule>,
        fallback: &str,
    ) {
        let offset = match error.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        let mut at = base + offset;
        let rest = self.text.get(at..).unwrap_or("");
        at += rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let (found, len) = found_token(self.text.get(at..).unwrap_or(""));
        let expected = match &error.variant {
            pest::error::ErrorVariant::ParsingError { positives, .. } => describe_rules(positives),
            pest::error::ErrorVariant::CustomError { .. } => None,
        };
        let message = match &expected {
            Some(list) => format!("expected {list}, found {found}"),
            None => fallback.to_owned(),
        };
        let help = match sql_habit(self.text, at) {
            Some(habit) => habit.to_owned(),
            None if fallback == "not a declaration" => {
                "a file holds declarations: `source`, `owner`, `outcome`, `metric` and `test`"
                    .to_owned()
            }
            None => "fields are `name: value`; see docs/reference/language.md for the grammar"
                .to_owned(),
        };
        self.diags.push(
            Diagnostic::error(
                Code::SyntaxError,
                Span::new(self.file, self.base + at, self.base + at + len),
                message,
            )
            .label(if len == 0 {
                "input ends here"
            } else {
                "unexpected here"
            })
            .help(help),
        );
    }
}

/// Help for what people write out of SQL habit, recognised at the place
/// the parse stopped (`at`).
fn sql_habit(text: &str, at: usize) -> Option<&'static str> {
    let rest = text.get(at..)?;
    let before = text.get(..at)?.trim_end();
    if rest.starts_with('=') && !rest.starts_with("==")
        || before.ends_with('=')
            && !before.ends_with("==")
            && !before.ends_with("!=")
            && !before.ends_with("<=")
            && !before.ends_with(">=")
    {
        return Some(
            "compare with `==`, as in `region == \"EMEA\"`; a single `=` is not an operator",
        );
    }
    if rest.starts_with('\'') {
        return Some("strings are written in double quotes: `\"EMEA\"`, not `'EMEA'`");
    }
    let lower = before.to_ascii_lowercase();
    if lower.ends_with("(distinct") {
        return Some("write `count_distinct(x)` for the number of distinct values; `count(distinct x)` is SQL");
    }
    None
}

/// What stands at the start of `rest`, for "found ...": the text to show
/// and how many bytes of the input it covers.
fn found_token(rest: &str) -> (String, usize) {
    let word_len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    if word_len > 0 {
        return (format!("`{}`", &rest[..word_len]), word_len);
    }
    match rest.chars().next() {
        Some('\n') | Some('\r') => ("the end of the line".to_owned(), 1),
        Some(c) => (format!("`{c}`"), c.len_utf8()),
        None => ("the end of the input".to_owned(), 0),
    }
}

fn describe_rules(rules: &[Rule]) -> Option<String> {
    let mut names: Vec<&str> = rules.iter().filter_map(|r| describe(*r)).collect();
    names.sort_unstable();
    names.dedup();
    match names.len() {
        0 => None,
        1 => names.first().map(|s| s.to_string()),
        n => {
            let (last, head) = names.split_last()?;
            let _ = n;
            Some(format!("{} or {}", head.join(", "), last))
        }
    }
}

fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::name | Rule::ident_raw | Rule::field_key => "a name",
        Rule::block => "`{`",
        Rule::value | Rule::expr | Rule::operand | Rule::path | Rule::call | Rule::paren => {
            "an expression"
        }
        Rule::cmp_op => "a comparison",
        Rule::add_op | Rule::mul_op => "an operator",
        Rule::number_lit => "a number",
        Rule::string_lit => "a string",
        Rule::duration_lit => "a duration such as `90d`",
        Rule::date_lit | Rule::timestamp_lit => "a date such as `@2026-01-01`",
        Rule::kw_source | Rule::kw_owner | Rule::kw_outcome | Rule::kw_metric | Rule::kw_test => {
            "a declaration (`source`, `owner`, `outcome`, `metric` or `test`)"
        }
        Rule::kw_variant => "`variant of`",
        Rule::kw_of => "`of`",
        Rule::kw_on => "`on`",
        Rule::kw_and => "`and`",
        Rule::kw_null => "`null`",
        Rule::kw_in => "`in`",
        Rule::list => "a list `[...]`",
        Rule::row => "a row `(...)`",
        Rule::given => "`given`",
        Rule::expect => "`expect`",
        Rule::expect_value | Rule::expect_rows => "`== value` or `{ rows }`",
        Rule::EOI => "the end of the input",
        _ => return None,
    })
}
