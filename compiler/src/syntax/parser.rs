//! Turns the text of one `.yard` file into an [`ast::File`] plus diagnostics.
//!
//! This is the only module that sees pest: its borrowed spans become
//! [`Span`]s here. Parsing never fails: the grammar catches what it cannot
//! read in `bad_item` / `bad_field`, and each is explained by re-parsing it
//! without recovery, which tells exactly where and what was expected.

use super::ast::{
    CmpOp, ColumnDecl, Decl, DeclKind, Entry, Expect, Expected, Expr, ExprKind, Field, File, Given,
    Ident, Join, Row, SubBlock, TestDecl, Value, ValueItem,
};
use super::limits;
use super::literal;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::span::{FileId, Span};
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "../../grammar/yardstick.pest"]
pub(super) struct YardParser;

/// Parses one file. Never fails: problems become diagnostics.
pub fn parse_file(file: FileId, text: &str, diags: &mut Diagnostics) -> File {
    if let Some((offset, message)) = too_deep(text) {
        diags.push(
            Diagnostic::error(
                Code::SyntaxTooDeep,
                Span::new(file, offset, offset + 1),
                message,
            )
            .label("too deep here")
            .help("split the expression into smaller metrics; nothing in this file was checked"),
        );
        return File::default();
    }
    let mut cx = Cx {
        file,
        base: 0,
        text,
        diags,
    };
    match YardParser::parse(Rule::file, text) {
        Ok(mut pairs) => match pairs.next() {
            Some(root) => cx.file(root),
            None => File::default(),
        },
        // The grammar accepts every input; this is a safety net, not a path.
        Err(error) => {
            cx.report_pest_error(0, &error, "this file could not be read");
            File::default()
        }
    }
}

/// Parses a row-level expression written on its own (a query's `--where`).
/// `None` when it does not parse; the problem is in `diags`.
pub fn parse_expression(file: FileId, text: &str, diags: &mut Diagnostics) -> Option<Expr> {
    parse_expression_at(file, 0, text, diags)
}

/// Like [`parse_expression`], for text that stands at byte `base` of its
/// file (a `--where` inside a command line): spans count from the file's
/// start.
pub fn parse_expression_at(
    file: FileId,
    base: usize,
    text: &str,
    diags: &mut Diagnostics,
) -> Option<Expr> {
    if let Some((offset, _)) = too_deep(text) {
        diags.push(
            Diagnostic::error(
                Code::SyntaxTooDeep,
                Span::new(file, base + offset, base + offset + 1),
                "brackets are nested too deeply",
            )
            .label("too deep here")
            .help("split the condition into simpler parts"),
        );
        return None;
    }
    let mut cx = Cx {
        file,
        base,
        text,
        diags,
    };
    match YardParser::parse(Rule::standalone_expr, text) {
        Ok(mut pairs) => {
            let expr = pairs
                .next()?
                .into_inner()
                .find(|p| p.as_rule() == Rule::expr)?;
            let errors_before = cx.diags.error_count();
            let expr = cx.expr(expr);
            (cx.diags.error_count() == errors_before).then_some(expr)
        }
        Err(error) => {
            cx.report_pest_error(0, &error, "not an expression");
            None
        }
    }
}

/// Where and why `text` is refused before parsing: brackets nested past
/// the language's limit, or past what the parser may recurse into however
/// it reads strings, comments and recovered text (the parser has no stack
/// probe; `limits::parser_depth_exceeded`).
fn too_deep(text: &str) -> Option<(usize, String)> {
    if let Some(offset) = limits::too_deeply_nested(text) {
        let message = format!(
            "brackets are nested more than {} deep",
            limits::MAX_BRACKET_DEPTH
        );
        return Some((offset, message));
    }
    let offset = limits::parser_depth_exceeded(text)?;
    let message = format!(
        "brackets may be nested more than {} deep here, counting those in strings, comments and text that does not parse",
        limits::MAX_PARSER_DEPTH
    );
    Some((offset, message))
}

/// The parse of one file in progress: where it is, and where problems go.
pub(super) struct Cx<'t, 'd> {
    pub(super) file: FileId,
    /// Where `text` starts in its file.
    pub(super) base: usize,
    pub(super) text: &'t str,
    pub(super) diags: &'d mut Diagnostics,
}

impl Cx<'_, '_> {
    /// The pair's span without the whitespace and comments pest lets a
    /// non-atomic rule swallow after its last token.
    pub(super) fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        let start = self.base + s.start();
        let text = s.as_str();
        // What pest swallows ends in whitespace, or in a comment only at the
        // end of the text (elsewhere the line end after it is swallowed
        // too): text ending in a visible character before then is whole.
        let len = match text.as_bytes().last() {
            Some(b) if b.is_ascii_graphic() && s.end() < self.text.len() => text.len(),
            _ => trimmed_len(text),
        };
        Span::new(self.file, start, start + len)
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_owned(),
            span: self.span(&pair),
        }
    }

    fn file(&mut self, root: Pair<Rule>) -> File {
        let mut out = File::default();
        for pair in root.into_inner() {
            match pair.as_rule() {
                Rule::source_decl => out.decls.push(self.decl(pair, DeclKind::Source)),
                Rule::owner_decl => out.decls.push(self.decl(pair, DeclKind::Owner)),
                Rule::outcome_decl => out.decls.push(self.decl(pair, DeclKind::Outcome)),
                Rule::metric_decl => out.decls.push(self.decl(pair, DeclKind::Metric)),
                Rule::reconcile_decl => out.decls.push(self.decl(pair, DeclKind::Reconcile)),
                Rule::test_decl => out.tests.push(self.test(pair)),
                Rule::bad_item => {
                    if let Some(name) = broken_declaration_name(pair.as_str()) {
                        out.broken_names.push(name);
                    }
                    self.explain(&pair, Rule::strict_declaration, "not a declaration");
                }
                _ => {}
            }
        }
        out
    }

    /// Reports a recovered chunk, re-parsing it strictly to say why.
    fn explain(&mut self, pair: &Pair<Rule>, strict: Rule, fallback: &str) {
        let start = pair.as_span().start();
        let chunk = pair.as_str().trim_end();
        match YardParser::parse(strict, chunk) {
            Err(error) => self.report_pest_error(start, &error, fallback),
            Ok(_) => {
                let span = Span::new(self.file, start, start + chunk.len());
                self.diags.push(
                    Diagnostic::error(Code::SyntaxError, span, fallback.to_owned())
                        .label("not understood here"),
                );
            }
        }
    }

    fn decl(&mut self, pair: Pair<Rule>, kind: DeclKind) -> Decl {
        let span = self.span(&pair);
        let doc = doc_comment(self.text, span.start as usize);
        let mut name = None;
        let mut variant_of = None;
        let mut entries = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::name => name = Some(self.ident(part)),
                Rule::variant_of => {
                    variant_of = part
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::name)
                        .map(|p| self.ident(p));
                }
                Rule::block => entries = self.block(part),
                _ => {}
            }
        }
        Decl {
            kind,
            name: name.unwrap_or_else(|| Ident {
                name: String::new(),
                span,
            }),
            variant_of,
            doc,
            entries,
            span,
        }
    }

    fn block(&mut self, pair: Pair<Rule>) -> Vec<Entry> {
        let mut entries = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::field => entries.push(Entry::Field(self.field(part))),
                Rule::sub_block => {
                    let span = self.span(&part);
                    let mut inner = part.into_inner();
                    let name = inner.next().map(|p| self.ident(p));
                    let mut fields = Vec::new();
                    for f in inner {
                        match f.as_rule() {
                            Rule::field => fields.push(self.field(f)),
                            Rule::bad_field => self.explain(&f, Rule::strict_field, "not a field"),
                            _ => {}
                        }
                    }
                    if let Some(name) = name {
                        entries.push(Entry::Block(SubBlock { name, fields, span }));
                    }
                }
                Rule::columns_block => {
                    let span = self.span(&part);
                    let mut columns = Vec::new();
                    for c in part.into_inner() {
                        match c.as_rule() {
                            Rule::column_decl => columns.push(self.column(c)),
                            Rule::bad_field => {
                                self.explain(&c, Rule::strict_field, "not a column declaration")
                            }
                            _ => {}
                        }
                    }
                    entries.push(Entry::Columns(columns, span));
                }
                Rule::join_clause => {
                    let span = self.span(&part);
                    let mut role = None;
                    let mut names = Vec::new();
                    for p in part.into_inner() {
                        match p.as_rule() {
                            Rule::name => names.push(self.ident(p)),
                            Rule::join_role => {
                                role = p
                                    .into_inner()
                                    .find(|n| n.as_rule() == Rule::name)
                                    .map(|n| self.ident(n));
                            }
                            _ => {}
                        }
                    }
                    let mut names = names.into_iter();
                    if let (Some(source), Some(on)) = (names.next(), names.next()) {
                        entries.push(Entry::Join(Join {
                            source,
                            role,
                            on,
                            span,
                        }));
                    }
                }
                Rule::bad_field => self.explain(&part, Rule::strict_field, "not a field"),
                _ => {}
            }
        }
        entries
    }

    fn column(&mut self, pair: Pair<Rule>) -> ColumnDecl {
        let span = self.span(&pair);
        let mut idents = Vec::new();
        let mut nullable = false;
        let mut unit = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::ident_raw => idents.push(self.ident(part)),
                Rule::nullable => nullable = true,
                Rule::unit_annotation => {
                    let s = self.span(&part);
                    unit = Some(Ident {
                        name: part.as_str().trim_start_matches('@').to_owned(),
                        span: Span::new(self.file, s.start as usize + 1, s.end as usize),
                    });
                }
                _ => {}
            }
        }
        let mut idents = idents.into_iter();
        let blank = Ident {
            name: String::new(),
            span,
        };
        ColumnDecl {
            name: idents.next().unwrap_or_else(|| blank.clone()),
            ty: idents.next().unwrap_or(blank),
            nullable,
            unit,
            span,
        }
    }

    fn field(&mut self, pair: Pair<Rule>) -> Field {
        let span = self.span(&pair);
        let mut key = None;
        let mut value = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::field_key => key = Some(self.ident(part)),
                Rule::value => value = Some(self.value(part)),
                _ => {}
            }
        }
        Field {
            key: key.unwrap_or(Ident {
                name: String::new(),
                span,
            }),
            value: value.unwrap_or(Value::List(Vec::new(), span)),
            span,
        }
    }

    fn value(&mut self, pair: Pair<Rule>) -> Value {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Value::List(Vec::new(), span);
        };
        match inner.as_rule() {
            Rule::bound => {
                let mut parts = inner.into_inner();
                let op = parts
                    .next()
                    .and_then(|p| CmpOp::parse(p.as_str()))
                    .unwrap_or(CmpOp::Eq);
                let expr = self.next_expr(&mut parts, span);
                Value::Bound(op, expr, span)
            }
            Rule::between_bound => {
                let mut parts = inner.into_inner().filter(|p| p.as_rule() == Rule::operand);
                let low = self.next_expr(&mut parts, span);
                let high = self.next_expr(&mut parts, span);
                Value::Between(low, high, span)
            }
            _ => {
                let mut items = Vec::new();
                for item in inner.into_inner() {
                    let mut parts = item.into_inner();
                    let expr = self.next_expr(&mut parts, span);
                    let mut after = None;
                    let mut per = None;
                    for p in parts {
                        match p.as_rule() {
                            Rule::duration_lit => {
                                let s = self.span(&p);
                                after = literal::duration(p.as_str()).map(|d| (d, s));
                            }
                            Rule::value_per => {
                                per = p
                                    .into_inner()
                                    .find(|n| n.as_rule() == Rule::name)
                                    .map(|n| self.ident(n));
                            }
                            _ => {}
                        }
                    }
                    items.push(ValueItem { expr, after, per });
                }
                Value::List(items, span)
            }
        }
    }

    fn next_expr<'i>(
        &mut self,
        parts: &mut impl Iterator<Item = Pair<'i, Rule>>,
        fallback: Span,
    ) -> Expr {
        match parts.find(|p| p.as_rule() != Rule::kw_between && p.as_rule() != Rule::kw_and) {
            Some(p) => self.expr(p),
            None => Expr::new(ExprKind::Error, fallback),
        }
    }

    fn test(&mut self, pair: Pair<Rule>) -> TestDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut givens = Vec::new();
        let mut expects = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::name => name = Some(self.ident(part)),
                Rule::given => givens.push(self.given(part)),
                Rule::expect => expects.push(self.expect(part)),
                Rule::bad_field => {
                    self.explain(&part, Rule::strict_field, "not a `given` or `expect`")
                }
                _ => {}
            }
        }
        TestDecl {
            name: name.unwrap_or(Ident {
                name: String::new(),
                span,
            }),
            givens,
            expects,
            span,
        }
    }

    fn given(&mut self, pair: Pair<Rule>) -> Given {
        let span = self.span(&pair);
        let mut names = Vec::new();
        let mut rows = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::name => names.push(self.ident(part)),
                Rule::row => rows.push(self.row(part)),
                Rule::bad_field => self.explain(&part, Rule::row, "not a row"),
                _ => {}
            }
        }
        let mut names = names.into_iter();
        let source = names.next().unwrap_or(Ident {
            name: String::new(),
            span,
        });
        Given {
            source,
            columns: names.collect(),
            rows,
            span,
        }
    }

    fn row(&mut self, pair: Pair<Rule>) -> Row {
        let span = self.span(&pair);
        let values = pair.into_inner().map(|p| self.expr(p)).collect();
        Row { values, span }
    }

    fn expect(&mut self, pair: Pair<Rule>) -> Expect {
        let span = self.span(&pair);
        let mut metric = None;
        let mut by = Vec::new();
        let mut grain = None;
        let mut as_of = None;
        let mut outcome = Expected::Rows(Vec::new());
        let mut tolerance = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::name => metric = Some(self.ident(part)),
                Rule::expect_by => {
                    by = part
                        .into_inner()
                        .filter(|p| p.as_rule() == Rule::path)
                        .map(|p| self.ident(p))
                        .collect()
                }
                Rule::expect_grain => {
                    grain = part
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::name)
                        .map(|p| self.ident(p))
                }
                Rule::expect_as_of => {
                    as_of = part
                        .into_inner()
                        .find(|p| matches!(p.as_rule(), Rule::date_lit | Rule::timestamp_lit))
                        .map(|p| self.expr(p))
                }
                Rule::expect_value => {
                    let mut inner = part.into_inner();
                    outcome = Expected::Value(self.next_expr(&mut inner, span));
                    tolerance = inner
                        .find(|p| p.as_rule() == Rule::expect_within)
                        .and_then(|w| w.into_inner().find(|p| p.as_rule() == Rule::expr))
                        .map(|p| self.expr(p));
                }
                Rule::expect_rows => {
                    let mut rows = Vec::new();
                    for r in part.into_inner() {
                        match r.as_rule() {
                            Rule::row => rows.push(self.row(r)),
                            Rule::bad_field => self.explain(&r, Rule::row, "not a row"),
                            _ => {}
                        }
                    }
                    outcome = Expected::Rows(rows);
                }
                _ => {}
            }
        }
        Expect {
            metric: metric.unwrap_or(Ident {
                name: String::new(),
                span,
            }),
            by,
            grain,
            as_of,
            outcome,
            tolerance,
            span,
        }
    }
}

/// The length of `text` without trailing whitespace and `//` comments.
fn trimmed_len(text: &str) -> usize {
    let mut end = text.trim_end().len();
    // Without a `/` there is no comment to strip: the common case, found
    // with one `memchr` rather than a search per line.
    if !text.as_bytes()[..end].contains(&b'/') {
        return end;
    }
    loop {
        let head = &text[..end];
        let line_start = head.rfind('\n').map(|i| i + 1).unwrap_or(0);
        match comment_start(&head[line_start..]) {
            Some(i) => end = head[..line_start + i].trim_end().len(),
            None => return end,
        }
    }
}

/// Where a `//` comment starts in one line, outside string literals.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The `///` lines directly above `start`, without their markers.
fn doc_comment(text: &str, start: usize) -> Option<String> {
    let before = text.get(..start)?;
    let mut lines: Vec<&str> = Vec::new();
    // Skip the (possibly indented) beginning of the declaration's own line.
    let mut rest = before.rsplit_once('\n').map(|(r, _)| r);
    while let Some(chunk) = rest {
        let (head, line) = match chunk.rsplit_once('\n') {
            Some((h, l)) => (Some(h), l),
            None => (None, chunk),
        };
        let trimmed = line.trim();
        match trimmed.strip_prefix("///") {
            Some(doc) => lines.push(doc.strip_prefix(' ').unwrap_or(doc).trim_end()),
            None => break,
        }
        rest = head;
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some(lines.join("\n"))
}

/// `metric foo {...` that failed to parse: `foo`, so references to it are
/// not reported again.
fn broken_declaration_name(text: &str) -> Option<String> {
    let mut words = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("//"))?
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    let keyword = words.next()?;
    if !["source", "owner", "outcome", "metric", "reconcile"].contains(&keyword) {
        return None;
    }
    words.find(|w| !w.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::{parse_expression, trimmed_len};
    use crate::diagnostics::Diagnostics;
    use crate::span::FileId;
    use crate::syntax::ast::ExprKind;

    /// The string a whole expression reads as, or `None` when it does not
    /// parse as one string.
    fn string_value(text: &str) -> Option<String> {
        let mut diags = Diagnostics::new();
        let expr = parse_expression(FileId(0), text, &mut diags)?;
        match expr.kind {
            ExprKind::String { value } if !diags.has_errors() => Some(value),
            _ => None,
        }
    }

    #[test]
    fn strings_end_at_the_first_unescaped_quote_on_their_line() {
        assert_eq!(string_value(r#""plain""#).as_deref(), Some("plain"));
        assert_eq!(string_value(r#""""#).as_deref(), Some(""));
        assert_eq!(
            string_value(r#""say \"hi\"""#).as_deref(),
            Some("say \"hi\"")
        );
        assert_eq!(string_value(r#""a\\""#).as_deref(), Some("a\\"));
        assert_eq!(string_value(r#""\\\"x""#).as_deref(), Some("\\\"x"));
        assert_eq!(string_value(r#""tab\there""#).as_deref(), Some("tab\there"));
        assert_eq!(
            string_value("\"caf\u{e9} \u{1F600}\"").as_deref(),
            Some("caf\u{e9} \u{1F600}")
        );
        // Not closed on its line, or an escape with nothing after it.
        assert_eq!(string_value("\"open\n\""), None);
        assert_eq!(string_value(r#""open"#), None);
        assert_eq!(string_value(r#""ends in \"#), None);
        assert_eq!(string_value(r#""a\""#), None);
    }

    #[test]
    fn trailing_blanks_and_comments_are_not_part_of_a_span() {
        assert_eq!(trimmed_len("count()\n  "), 7);
        assert_eq!(trimmed_len("a / b  // per day\n  // more\n  "), 5);
        assert_eq!(trimmed_len("\"http://x\"\n"), 10);
        assert_eq!(trimmed_len("x\n// note \"quoted\"\n"), 1);
        assert_eq!(trimmed_len("  \n"), 0);
    }
}
