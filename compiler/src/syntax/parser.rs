//! Turns the text of one `.yard` file into an [`ast::File`] plus diagnostics.
//!
//! This is the only module that sees pest: its borrowed spans become
//! [`Span`]s here. Parsing never fails: the grammar catches what it cannot
//! read in `bad_item` / `bad_field`, and each is explained by re-parsing it
//! without recovery, which tells exactly where and what was expected.

use super::ast::{
    BinaryOp, CmpOp, ColumnDecl, Decl, DeclKind, Entry, Expect, Expected, Expr, ExprKind, Field,
    File, Given, Ident, Join, Row, SubBlock, TestDecl, UnaryOp, Value, ValueItem,
};
use super::limits;
use super::literal;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::span::{FileId, Span};
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "../../grammar/yardstick.pest"]
struct YardParser;

/// Parses one file. Never fails: problems become diagnostics.
pub fn parse_file(file: FileId, text: &str, diags: &mut Diagnostics) -> File {
    if let Some(offset) = limits::too_deeply_nested(text) {
        diags.push(
            Diagnostic::error(
                Code::SyntaxTooDeep,
                Span::new(file, offset, offset + 1),
                format!(
                    "brackets are nested more than {} deep",
                    limits::MAX_BRACKET_DEPTH
                ),
            )
            .label("too deep here")
            .help("split the expression into smaller metrics; nothing in this file was checked"),
        );
        return File::default();
    }
    let mut cx = Cx { file, text, diags };
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

struct Cx<'t, 'd> {
    file: FileId,
    text: &'t str,
    diags: &'d mut Diagnostics,
}

impl Cx<'_, '_> {
    /// The pair's span without the whitespace and comments pest lets a
    /// non-atomic rule swallow after its last token.
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.start() + trimmed_len(s.as_str()))
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

    fn report_pest_error(&mut self, base: usize, error: &pest::error::Error<Rule>, fallback: &str) {
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
        let help = if fallback == "not a declaration" {
            "a file holds declarations: `source`, `owner`, `outcome`, `metric` and `test`"
        } else {
            "fields are `name: value`; see docs/language.md for the grammar"
        };
        self.diags.push(
            Diagnostic::error(Code::SyntaxError, Span::new(self.file, at, at + len), message)
                .label(if len == 0 { "input ends here" } else { "unexpected here" })
                .help(help),
        );
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
                    let mut names = part.into_inner().filter(|p| p.as_rule() == Rule::name);
                    if let (Some(source), Some(on)) = (names.next(), names.next()) {
                        entries.push(Entry::Join(Join {
                            source: self.ident(source),
                            on: self.ident(on),
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
                let mut parts = inner.into_inner().filter(|p| p.as_rule() == Rule::add_expr);
                let low = self.next_expr(&mut parts, span);
                let high = self.next_expr(&mut parts, span);
                Value::Between(low, high, span)
            }
            _ => {
                let mut items = Vec::new();
                for item in inner.into_inner() {
                    let mut parts = item.into_inner();
                    let expr = self.next_expr(&mut parts, span);
                    let after = parts
                        .find(|p| p.as_rule() == Rule::duration_lit)
                        .and_then(|p| {
                            let s = self.span(&p);
                            literal::duration(p.as_str()).map(|d| (d, s))
                        });
                    items.push(ValueItem { expr, after });
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
            span,
        }
    }

    // ---- expressions ----

    fn expr(&mut self, pair: Pair<Rule>) -> Expr {
        let expr = self.expr_inner(pair);
        if limits::depth_exceeds(&expr, limits::MAX_EXPR_DEPTH) {
            self.diags.push(
                Diagnostic::error(
                    Code::SyntaxTooDeep,
                    expr.span,
                    format!(
                        "this expression nests more than {} levels deep",
                        limits::MAX_EXPR_DEPTH
                    ),
                )
                .label("too deep to check")
                .help("split it into smaller metrics"),
            );
            return Expr::new(ExprKind::Error, expr.span);
        }
        expr
    }

    fn expr_inner(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::expr | Rule::paren => match pair.into_inner().next() {
                Some(p) => {
                    let mut e = self.expr_inner(p);
                    e.span = span;
                    e
                }
                None => Expr::new(ExprKind::Error, span),
            },
            Rule::or_expr | Rule::and_expr | Rule::add_expr | Rule::mul_expr => {
                self.left_chain(pair)
            }
            Rule::not_expr => self.prefixed(pair, Rule::not_op, UnaryOp::Not),
            Rule::unary_expr => self.prefixed(pair, Rule::neg_op, UnaryOp::Neg),
            Rule::cmp_expr => self.comparison(pair),
            Rule::call => self.call(pair),
            Rule::list => {
                let items = pair.into_inner().map(|p| self.expr_inner(p)).collect();
                Expr::new(ExprKind::List { items }, span)
            }
            Rule::path => Expr::new(
                ExprKind::Path {
                    parts: pair.as_str().split('.').map(str::to_owned).collect(),
                },
                span,
            ),
            _ => match literal::decode(pair.as_rule(), pair.as_str()) {
                Ok(kind) => Expr::new(kind, span),
                Err(problem) => {
                    self.diags.push(
                        Diagnostic::error(Code::SyntaxLiteral, span, problem.message)
                            .label("cannot be read")
                            .help(problem.help),
                    );
                    Expr::new(ExprKind::Error, span)
                }
            },
        }
    }

    /// `a op b op c` folded to the left, without recursion.
    fn left_chain(&mut self, pair: Pair<Rule>) -> Expr {
        let mut parts = pair.into_inner();
        let Some(first) = parts.next() else {
            return Expr::new(ExprKind::Error, Span::default());
        };
        let mut acc = self.expr_inner(first);
        let mut operators = 0usize;
        while let (Some(op), Some(rhs)) = (parts.next(), parts.next()) {
            operators += 1;
            if operators > limits::MAX_CHAIN {
                let span = acc.span.to(self.span(&rhs));
                self.diags.push(
                    Diagnostic::error(
                        Code::SyntaxTooDeep,
                        span,
                        format!("more than {} operators in one chain", limits::MAX_CHAIN),
                    )
                    .label("too long to check")
                    .help("split it into smaller metrics"),
                );
                return Expr::new(ExprKind::Error, span);
            }
            let op = match op.as_rule() {
                Rule::kw_or => BinaryOp::Or,
                Rule::kw_and => BinaryOp::And,
                _ => match op.as_str() {
                    "+" => BinaryOp::Add,
                    "-" => BinaryOp::Sub,
                    "*" => BinaryOp::Mul,
                    _ => BinaryOp::Div,
                },
            };
            let right = self.expr_inner(rhs);
            let span = acc.span.to(right.span);
            acc = Expr::new(
                ExprKind::Binary {
                    op,
                    left: Box::new(acc),
                    right: Box::new(right),
                },
                span,
            );
        }
        acc
    }

    /// `not not x`, `- - x`: prefix operators over an operand.
    fn prefixed(&mut self, pair: Pair<Rule>, op_rule: Rule, op: UnaryOp) -> Expr {
        let span = self.span(&pair);
        let mut prefixes = Vec::new();
        let mut operand = None;
        for part in pair.into_inner() {
            if part.as_rule() == op_rule {
                prefixes.push(self.span(&part));
            } else {
                operand = Some(self.expr_inner(part));
            }
        }
        let mut expr = operand.unwrap_or(Expr::new(ExprKind::Error, span));
        if prefixes.len() > limits::MAX_CHAIN {
            return Expr::new(ExprKind::Error, span);
        }
        for prefix in prefixes.into_iter().rev() {
            // A negative number literal is a literal, not an operation.
            expr = match (op, expr.kind) {
                (UnaryOp::Neg, ExprKind::Number { value, integer }) => Expr::new(
                    ExprKind::Number {
                        value: -value,
                        integer,
                    },
                    prefix.to(expr.span),
                ),
                (UnaryOp::Neg, ExprKind::Percent { value }) => {
                    Expr::new(ExprKind::Percent { value: -value }, prefix.to(expr.span))
                }
                (_, kind) => {
                    let inner = Expr::new(kind, expr.span);
                    Expr::new(
                        ExprKind::Unary {
                            op,
                            operand: Box::new(inner),
                        },
                        prefix.to(expr.span),
                    )
                }
            };
        }
        expr
    }

    fn comparison(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let operand = match parts.next() {
            Some(p) => self.expr_inner(p),
            None => return Expr::new(ExprKind::Error, span),
        };
        let Some(tail) = parts.next() else {
            return operand;
        };
        let rule = tail.as_rule();
        let mut operands: Vec<Pair<Rule>> = Vec::new();
        let mut cmp = None;
        for p in tail.into_inner() {
            match p.as_rule() {
                Rule::cmp_op => cmp = CmpOp::parse(p.as_str()),
                Rule::add_expr | Rule::list => operands.push(p),
                _ => {}
            }
        }
        let mut operands = operands.into_iter().map(|p| self.expr_inner(p));
        let mut next = |this_span: Span| {
            operands
                .next()
                .unwrap_or(Expr::new(ExprKind::Error, this_span))
        };
        let operand = Box::new(operand);
        let kind = match rule {
            Rule::compare => ExprKind::Binary {
                op: BinaryOp::Cmp(cmp.unwrap_or(CmpOp::Eq)),
                left: operand,
                right: Box::new(next(span)),
            },
            Rule::in_list | Rule::not_in_list => {
                let list = match next(span).kind {
                    ExprKind::List { items } => items,
                    _ => Vec::new(),
                };
                ExprKind::In {
                    operand,
                    list,
                    negated: rule == Rule::not_in_list,
                }
            }
            Rule::is_null | Rule::is_not_null => ExprKind::IsNull {
                operand,
                negated: rule == Rule::is_not_null,
            },
            _ => ExprKind::Between {
                operand,
                low: Box::new(next(span)),
                high: Box::new(next(span)),
                negated: rule == Rule::not_between,
            },
        };
        Expr::new(kind, span)
    }

    fn call(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let mut function = String::new();
        let mut args = Vec::new();
        let mut star = false;
        let mut filter = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::name => function = part.as_str().to_owned(),
                Rule::call_args => {
                    for arg in part.into_inner() {
                        match arg.as_rule() {
                            Rule::star => star = true,
                            Rule::agg_filter => {
                                filter = arg
                                    .into_inner()
                                    .find(|p| p.as_rule() == Rule::expr)
                                    .map(|p| Box::new(self.expr_inner(p)));
                            }
                            _ => args.push(self.expr_inner(arg)),
                        }
                    }
                }
                _ => {}
            }
        }
        Expr::new(
            ExprKind::Call {
                function,
                args,
                star,
                filter,
            },
            span,
        )
    }
}

/// The length of `text` without trailing whitespace and `//` comments.
fn trimmed_len(text: &str) -> usize {
    let mut end = text.trim_end().len();
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
    if !["source", "owner", "outcome", "metric"].contains(&keyword) {
        return None;
    }
    words.find(|w| !w.is_empty()).map(str::to_owned)
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
        Rule::value | Rule::expr | Rule::or_expr | Rule::and_expr | Rule::not_expr => {
            "an expression"
        }
        Rule::cmp_expr | Rule::add_expr | Rule::mul_expr | Rule::unary_expr | Rule::path => {
            "an expression"
        }
        Rule::cmp_op => "a comparison",
        Rule::add_op | Rule::mul_op => "an operator",
        Rule::number_lit | Rule::int_lit => "a number",
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
