//! The syntax tree of one `.yard` file, as written. Declarations hold
//! generic fields; the resolver decides what each field means.

use crate::span::Span;
use serde::Serialize;

pub use crate::ir::ops::{BinaryOp, CmpOp, Duration, DurationUnit, UnaryOp};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ident {
    pub name: String,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeclKind {
    Source,
    Owner,
    Outcome,
    Metric,
    Reconcile,
}

impl DeclKind {
    pub fn word(self) -> &'static str {
        match self {
            DeclKind::Source => "source",
            DeclKind::Owner => "owner",
            DeclKind::Outcome => "outcome",
            DeclKind::Metric => "metric",
            DeclKind::Reconcile => "reconcile",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct File {
    pub decls: Vec<Decl>,
    pub tests: Vec<TestDecl>,
    /// Names of declarations that failed to parse; references to them are
    /// not reported again as unresolved.
    pub broken_names: Vec<String>,
}

/// `source`, `owner`, `outcome`, `metric` or `reconcile`.
#[derive(Debug, Clone, PartialEq)]
pub struct Decl {
    pub kind: DeclKind,
    pub name: Ident,
    pub variant_of: Option<Ident>,
    /// The `///` lines directly above the declaration, joined.
    pub doc: Option<String>,
    pub entries: Vec<Entry>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Field(Field),
    /// `sla { ... }`, `changelog { ... }`.
    Block(SubBlock),
    Columns(Vec<ColumnDecl>, Span),
    Join(Join),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: Ident,
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubBlock {
    pub name: Ident,
    pub fields: Vec<Field>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDecl {
    pub name: Ident,
    pub ty: Ident,
    pub nullable: bool,
    pub unit: Option<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub source: Ident,
    /// `as host`: the name its columns go by, when not the source's.
    pub role: Option<Ident>,
    pub on: Ident,
    pub span: Span,
}

/// The right-hand side of `key: ...`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `>= 70%`
    Bound(CmpOp, Expr, Span),
    /// `between -100 and 100`
    Between(Expr, Expr, Span),
    /// `a`, `a, b`, `retention after 6mo, cost after 3mo`
    List(Vec<ValueItem>, Span),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Bound(_, _, s) | Value::Between(_, _, s) | Value::List(_, s) => *s,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValueItem {
    pub expr: Expr,
    pub after: Option<(Duration, Span)>,
    /// `last per account_id`: the name after `per`.
    pub per: Option<Ident>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestDecl {
    pub name: Ident,
    pub givens: Vec<Given>,
    pub expects: Vec<Expect>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Given {
    pub source: Ident,
    pub columns: Vec<Ident>,
    pub rows: Vec<Row>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub values: Vec<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    pub metric: Ident,
    pub by: Vec<Ident>,
    pub grain: Option<Ident>,
    pub as_of: Option<Expr>,
    pub outcome: Expected,
    /// `== 0.3333 within 0.0001`: how far the value may be from the one
    /// expected.
    pub tolerance: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    Value(Expr),
    Rows(Vec<Row>),
}

// ---- expressions ----

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    #[serde(flatten)]
    pub kind: ExprKind,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "expr", rename_all = "snake_case")]
pub enum ExprKind {
    Number {
        value: f64,
        integer: bool,
    },
    /// `70%`, held as the fraction (0.7).
    Percent {
        value: f64,
    },
    String {
        value: String,
    },
    Bool {
        value: bool,
    },
    Null,
    Duration {
        value: Duration,
    },
    /// `@2026-01-01`: days since 1970-01-01.
    Date {
        days: i32,
        text: String,
    },
    /// `@2026-01-01T08:30:00Z`: microseconds since the epoch, UTC.
    Timestamp {
        micros: i64,
        text: String,
    },
    /// `score` or `accounts.segment`.
    Path {
        parts: Vec<String>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    In {
        operand: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    IsNull {
        operand: Box<Expr>,
        negated: bool,
    },
    Between {
        operand: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    Call {
        function: String,
        args: Vec<Expr>,
        /// `count(*)`.
        star: bool,
        /// `count(where score >= 9)`.
        filter: Option<Box<Expr>>,
    },
    List {
        items: Vec<Expr>,
    },
    /// Stands for text that did not parse; never reported twice.
    Error,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// The single name of a one-part path.
    pub fn as_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Path { parts } if parts.len() == 1 => parts.first().map(String::as_str),
            _ => None,
        }
    }

    /// Visits this expression and every sub-expression, parents first.
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        visit(self);
        self.walk_children(&mut |c| c.walk(visit));
    }

    /// Visits the direct sub-expressions, left to right.
    pub fn walk_children<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        match &self.kind {
            ExprKind::Unary { operand, .. } | ExprKind::IsNull { operand, .. } => visit(operand),
            ExprKind::Binary { left, right, .. } => {
                visit(left);
                visit(right);
            }
            ExprKind::In { operand, list, .. } => {
                visit(operand);
                list.iter().for_each(visit);
            }
            ExprKind::Between {
                operand, low, high, ..
            } => {
                visit(operand);
                visit(low);
                visit(high);
            }
            ExprKind::Call { args, filter, .. } => {
                args.iter().for_each(&mut *visit);
                if let Some(f) = filter {
                    visit(f);
                }
            }
            ExprKind::List { items } => items.iter().for_each(visit),
            _ => {}
        }
    }
}
