//! Types and units of expressions, and the checker that infers them
//! (LANGUAGE.md §4–5).

mod calls;
pub mod check;
mod offset;
pub mod unit;

pub use unit::Unit;

use serde::Serialize;

/// The type of a value, nullability aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Type {
    Int,
    Float,
    Decimal,
    String,
    Bool,
    Date,
    Timestamp,
    Duration,
    /// The type of the literal `null`: fits anywhere.
    Null,
}

impl Type {
    /// The type names a `columns` block may declare, as written.
    pub const DECLARABLE: &'static [&'static str] = &[
        "int",
        "float",
        "decimal",
        "string",
        "bool",
        "date",
        "timestamp",
    ];

    pub fn parse(name: &str) -> Option<Type> {
        Some(match name {
            "int" => Type::Int,
            "float" => Type::Float,
            "decimal" => Type::Decimal,
            "string" => Type::String,
            "bool" => Type::Bool,
            "date" => Type::Date,
            "timestamp" => Type::Timestamp,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Type::Int => "int",
            Type::Float => "float",
            Type::Decimal => "decimal",
            Type::String => "string",
            Type::Bool => "bool",
            Type::Date => "date",
            Type::Timestamp => "timestamp",
            Type::Duration => "duration",
            Type::Null => "null",
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, Type::Int | Type::Float | Type::Decimal | Type::Null)
    }

    pub fn is_temporal(self) -> bool {
        matches!(self, Type::Date | Type::Timestamp | Type::Null)
    }

    /// Whether values of the two types can be compared or coalesced.
    pub fn comparable(self, other: Type) -> bool {
        self == other
            || self == Type::Null
            || other == Type::Null
            || (self.is_numeric() && other.is_numeric())
            || (self.is_temporal() && other.is_temporal())
    }

    /// The type of `a op b` for arithmetic on two numbers.
    pub fn arithmetic(self, other: Type) -> Type {
        match (self, other) {
            (Type::Null, t) | (t, Type::Null) => t,
            (Type::Float, _) | (_, Type::Float) => Type::Float,
            (Type::Decimal, _) | (_, Type::Decimal) => Type::Decimal,
            _ => Type::Int,
        }
    }
}

impl std::fmt::Display for Type {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
