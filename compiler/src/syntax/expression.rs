//! Building expression trees from the grammar's flat `expr` rows, ordered by
//! precedence with pest's Pratt parser, and refusing (with a diagnostic)
//! expressions too long or deep to check safely.

use super::ast::{BinaryOp, CmpOp, Expr, ExprKind, UnaryOp};
use super::limits;
use super::literal;
use super::parser::{Cx, Rule};
use crate::diagnostics::{Code, Diagnostic};
use crate::span::Span;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::cell::RefCell;
use std::sync::LazyLock;

/// Loosest first: or, and, not, comparisons (with in / is null / between),
/// + -, * /, unary minus.
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::kw_or, Assoc::Left))
        .op(Op::infix(Rule::kw_and, Assoc::Left))
        .op(Op::prefix(Rule::not_op))
        .op(Op::infix(Rule::cmp_op, Assoc::Left)
            | Op::postfix(Rule::in_list)
            | Op::postfix(Rule::not_in_list)
            | Op::postfix(Rule::is_null)
            | Op::postfix(Rule::is_not_null)
            | Op::postfix(Rule::between)
            | Op::postfix(Rule::not_between))
        .op(Op::infix(Rule::add_op, Assoc::Left))
        .op(Op::infix(Rule::mul_op, Assoc::Left))
        .op(Op::prefix(Rule::neg_op))
});

impl Cx<'_, '_> {
    /// A whole expression, or `Error` (reported) when it is too big to check.
    pub(super) fn expr(&mut self, pair: Pair<Rule>) -> Expr {
        // The common case, a lone name or literal: nothing to count or
        // order, and the tree is that operand's (as the Pratt parser gives).
        let mut row = pair.clone().into_inner();
        if let (Some(only), None) = (row.next(), row.next()) {
            if holds_no_operator(only.as_rule()) {
                return self.expr_inner(only);
            }
        }
        let span = self.span(&pair);
        // The tree's depth (and the Pratt parser's recursion) is bounded by
        // its operators; count them in pest's flat token list first.
        let operators = pair
            .clone()
            .into_inner()
            .flatten()
            .filter(|p| is_operator(p.as_rule()))
            .count();
        if operators > limits::MAX_OPERATORS {
            self.too_deep(
                span,
                format!(
                    "more than {} operators in one expression",
                    limits::MAX_OPERATORS
                ),
            );
            return Expr::new(ExprKind::Error, span);
        }
        self.expr_inner(pair)
    }

    fn too_deep(&mut self, span: Span, message: String) {
        self.diags.push(
            Diagnostic::error(Code::SyntaxTooDeep, span, message)
                .label("too big to check")
                .help("split it into smaller metrics"),
        );
    }

    pub(super) fn expr_inner(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::expr | Rule::operand => self.ordered(pair.into_inner()),
            Rule::paren => match pair.into_inner().next() {
                Some(inner) => {
                    let mut e = self.expr_inner(inner);
                    e.span = span;
                    e
                }
                None => Expr::new(ExprKind::Error, span),
            },
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

    /// Orders a flat row of operands and operators by precedence.
    fn ordered(&mut self, pairs: Pairs<Rule>) -> Expr {
        let cx = RefCell::new(self);
        let expr = PRATT
            .map_primary(|p| cx.borrow_mut().expr_inner(p))
            .map_prefix(|op, operand| cx.borrow_mut().prefix(op, operand))
            .map_postfix(|operand, op| cx.borrow_mut().postfix(operand, op))
            .map_infix(infix)
            .parse(pairs);
        expr
    }

    fn prefix(&mut self, op: Pair<Rule>, operand: Expr) -> Expr {
        let span = self.span(&op).to(operand.span);
        let kind = match (op.as_rule(), operand.kind) {
            // A negative number is a literal, not an operation.
            (Rule::neg_op, ExprKind::Number { value, integer }) => ExprKind::Number {
                value: -value,
                integer,
            },
            (Rule::neg_op, ExprKind::Percent { value }) => ExprKind::Percent { value: -value },
            (rule, kind) => ExprKind::Unary {
                op: if rule == Rule::neg_op {
                    UnaryOp::Neg
                } else {
                    UnaryOp::Not
                },
                operand: Box::new(Expr::new(kind, operand.span)),
            },
        };
        Expr::new(kind, span)
    }

    fn postfix(&mut self, operand: Expr, op: Pair<Rule>) -> Expr {
        let rule = op.as_rule();
        let span = operand.span.to(self.span(&op));
        let mut parts = op
            .into_inner()
            .filter(|p| matches!(p.as_rule(), Rule::operand | Rule::list))
            .map(|p| self.expr_inner(p));
        let mut next = || parts.next().unwrap_or(Expr::new(ExprKind::Error, span));
        let operand = Box::new(operand);
        let kind = match rule {
            Rule::in_list | Rule::not_in_list => ExprKind::In {
                operand,
                list: match next().kind {
                    ExprKind::List { items } => items,
                    _ => Vec::new(),
                },
                negated: rule == Rule::not_in_list,
            },
            Rule::is_null | Rule::is_not_null => ExprKind::IsNull {
                operand,
                negated: rule == Rule::is_not_null,
            },
            _ => ExprKind::Between {
                operand,
                low: Box::new(next()),
                high: Box::new(next()),
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

/// A primary that cannot contain an operator: a name or a literal (not a
/// call, list or parenthesis, whose insides count towards the limit).
fn holds_no_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::path
            | Rule::number_lit
            | Rule::percent_lit
            | Rule::duration_lit
            | Rule::string_lit
            | Rule::date_lit
            | Rule::timestamp_lit
            | Rule::bool_lit
            | Rule::null_lit
    )
}

fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_or
            | Rule::kw_and
            | Rule::cmp_op
            | Rule::add_op
            | Rule::mul_op
            | Rule::not_op
            | Rule::neg_op
            | Rule::in_list
            | Rule::not_in_list
            | Rule::is_null
            | Rule::is_not_null
            | Rule::between
            | Rule::not_between
    )
}

fn infix(left: Expr, op: Pair<Rule>, right: Expr) -> Expr {
    let op = match op.as_rule() {
        Rule::kw_or => BinaryOp::Or,
        Rule::kw_and => BinaryOp::And,
        Rule::cmp_op => BinaryOp::Cmp(CmpOp::parse(op.as_str()).unwrap_or(CmpOp::Eq)),
        _ => match op.as_str() {
            "+" => BinaryOp::Add,
            "-" => BinaryOp::Sub,
            "*" => BinaryOp::Mul,
            _ => BinaryOp::Div,
        },
    };
    let span = left.span.to(right.span);
    Expr::new(
        ExprKind::Binary {
            op,
            left: Box::new(left),
            right: Box::new(right),
        },
        span,
    )
}
