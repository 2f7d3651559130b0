//! Typed expressions: what the checker makes of the syntax tree's
//! expressions. Names are resolved (a column to the source that holds it, a
//! metric to its id), literals are decoded, calls name a [`Function`] of the
//! registry, and every node carries its type, unit and nullability.

use super::ops::{BinaryOp, Duration, UnaryOp};
use crate::functions::Function;
use crate::span::Span;
use crate::types::{Type, Unit};
use serde::Serialize;

/// A checked expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypedExpr {
    #[serde(flatten)]
    pub node: Node,
    #[serde(rename = "type")]
    pub ty: Type,
    #[serde(skip_serializing_if = "Unit::is_dimensionless")]
    pub unit: Unit,
    pub nullable: bool,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "expr", rename_all = "snake_case")]
pub enum Node {
    Literal {
        value: Literal,
    },
    Column {
        column: ColumnRef,
    },
    /// A metric read by a derived formula.
    Metric {
        metric: MetricId,
    },
    /// `offset(metric, 1y)` in a derived formula: the metric at the same
    /// keys, its window moved back by `by`.
    Offset {
        metric: MetricId,
        by: Duration,
    },
    Unary {
        op: UnaryOp,
        operand: Box<TypedExpr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<TypedExpr>,
        right: Box<TypedExpr>,
    },
    In {
        operand: Box<TypedExpr>,
        list: Vec<TypedExpr>,
        negated: bool,
    },
    IsNull {
        operand: Box<TypedExpr>,
        negated: bool,
    },
    Between {
        operand: Box<TypedExpr>,
        low: Box<TypedExpr>,
        high: Box<TypedExpr>,
        negated: bool,
    },
    Call {
        function: Function,
        args: Vec<TypedExpr>,
        /// An aggregate's `where`: `count(where score >= 9)`.
        #[serde(skip_serializing_if = "Option::is_none")]
        filter: Option<Box<TypedExpr>>,
    },
}

/// A decoded literal.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Literal {
    Int(i64),
    Float(f64),
    /// `70%`, held as its fraction (0.7).
    Percent(f64),
    String(String),
    Bool(bool),
    Null,
    /// Days since 1970-01-01.
    Date(i32),
    /// Microseconds since the epoch, UTC.
    Timestamp(i64),
}

impl Literal {
    pub fn ty(&self) -> Type {
        match self {
            Literal::Int(_) => Type::Int,
            Literal::Float(_) | Literal::Percent(_) => Type::Float,
            Literal::String(_) => Type::String,
            Literal::Bool(_) => Type::Bool,
            Literal::Null => Type::Null,
            Literal::Date(_) => Type::Date,
            Literal::Timestamp(_) => Type::Timestamp,
        }
    }

    /// The value of a number (a percent as its fraction).
    pub fn number(&self) -> Option<f64> {
        match self {
            Literal::Int(i) => Some(*i as f64),
            Literal::Float(v) | Literal::Percent(v) => Some(*v),
            _ => None,
        }
    }
}

/// A column of a source's rows: its own (`channel`) or, through a join, a
/// column of the joined source (`accounts.segment`), or through a chain
/// of joins (`listings.users.country`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ColumnRef {
    /// The join path, when the column is reached through joins: the join
    /// names from the source outwards, dotted (`accounts`,
    /// `listings.users`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join: Option<String>,
    pub name: String,
}

impl ColumnRef {
    /// As written: `channel`, `accounts.segment` or `listings.users.country`.
    pub fn path(&self) -> String {
        match &self.join {
            Some(j) => format!("{j}.{}", self.name),
            None => self.name.clone(),
        }
    }

    /// Reads `channel`, `accounts.segment` or `listings.users.country`.
    pub fn from_path(path: &str) -> ColumnRef {
        match path.rsplit_once('.') {
            Some((join, name)) => ColumnRef {
                join: Some(join.to_owned()),
                name: name.to_owned(),
            },
            None => ColumnRef {
                join: None,
                name: path.to_owned(),
            },
        }
    }

    /// The join path and every shorter path it goes through:
    /// `listings.users` gives `listings` and `listings.users`.
    pub fn join_prefixes(&self) -> Vec<String> {
        let Some(join) = &self.join else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, c) in join.char_indices() {
            if c == '.' {
                out.push(join[..i].to_owned());
            }
        }
        out.push(join.clone());
        out
    }
}

impl std::fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path())
    }
}

/// A metric of the library, by its (unique) name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct MetricId(pub String);

impl MetricId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for MetricId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TypedExpr {
    /// A bare number or `null`: takes the unit of what it meets in a
    /// comparison, `coalesce` or `if` (`cost_usd > 100`), as does a
    /// `coalesce` or `if` of such literals.
    pub fn takes_other_unit(&self) -> bool {
        match &self.node {
            Node::Literal { value } => {
                matches!(value, Literal::Int(_) | Literal::Float(_) | Literal::Null)
            }
            Node::Call { function, args, .. } => match function {
                Function::Coalesce => args.iter().all(TypedExpr::takes_other_unit),
                Function::If => args.iter().skip(1).all(TypedExpr::takes_other_unit),
                _ => false,
            },
            _ => false,
        }
    }

    /// The value of a numeric literal (a percent as its fraction).
    pub fn number(&self) -> Option<f64> {
        match &self.node {
            Node::Literal { value } => value.number(),
            _ => None,
        }
    }

    /// Visits this expression and every sub-expression, parents first.
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a TypedExpr)) {
        visit(self);
        self.walk_children(&mut |c| c.walk(visit));
    }

    /// Visits the direct sub-expressions, left to right.
    pub fn walk_children<'a>(&'a self, visit: &mut dyn FnMut(&'a TypedExpr)) {
        match &self.node {
            Node::Unary { operand, .. } | Node::IsNull { operand, .. } => visit(operand),
            Node::Binary { left, right, .. } => {
                visit(left);
                visit(right);
            }
            Node::In { operand, list, .. } => {
                visit(operand);
                list.iter().for_each(visit);
            }
            Node::Between {
                operand, low, high, ..
            } => {
                visit(operand);
                visit(low);
                visit(high);
            }
            Node::Call { args, filter, .. } => {
                args.iter().for_each(&mut *visit);
                if let Some(f) = filter {
                    visit(f);
                }
            }
            Node::Literal { .. }
            | Node::Column { .. }
            | Node::Metric { .. }
            | Node::Offset { .. } => {}
        }
    }

    /// Every column the expression reads.
    pub fn columns(&self) -> Vec<&ColumnRef> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Node::Column { column } = &e.node {
                out.push(column);
            }
        });
        out
    }

    /// Every metric the expression reads, in order of first use (a metric
    /// read only through `offset` too).
    pub fn metrics(&self) -> Vec<&MetricId> {
        let mut out: Vec<&MetricId> = Vec::new();
        self.walk(&mut |e| {
            if let Node::Metric { metric } | Node::Offset { metric, .. } = &e.node {
                if !out.contains(&metric) {
                    out.push(metric);
                }
            }
        });
        out
    }

    /// Every `offset(metric, duration)` the expression reads, each once.
    pub fn offsets(&self) -> Vec<(&MetricId, Duration)> {
        let mut out: Vec<(&MetricId, Duration)> = Vec::new();
        self.walk(&mut |e| {
            if let Node::Offset { metric, by } = &e.node {
                if !out.contains(&(metric, *by)) {
                    out.push((metric, *by));
                }
            }
        });
        out
    }
}
