//! The one function registry (LANGUAGE.md §4). Every function of the
//! language is one entry of the `functions!` table below: its name, level
//! (row or aggregate), arity, the kind of each argument, the rule for its
//! result's type and unit, and its documentation.
//!
//! The checker reads the entry to type a call; lowering matches
//! [`Function`] exhaustively, so a function added here and not lowered
//! fails to compile. `docs/functions.md` is rendered from this table by
//! [`reference_table`], and a test keeps the two in step.

use serde::Serialize;

/// Where a function may stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// One row at a time: `where`, `exclude`, aggregate arguments; the
    /// functions marked `in_derived` also in derived formulas.
    Row,
    /// Many rows to one value: only in a base metric's formula, never
    /// nested, with an optional `where` filter.
    Aggregate,
}

/// What an argument must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// Any value (`count(x)` counts the non-null ones).
    Any,
    /// A number.
    Number,
    /// A string.
    Text,
    /// A date or timestamp.
    Time,
    /// A condition: true or false.
    Condition,
    /// A number, a string or a time: anything with an order.
    Ordered,
    /// A constant number p with 0 <= p <= 1.
    Fraction,
    /// A constant whole number of digits.
    Digits,
    /// A value that must fit the other `Value` arguments (same type family
    /// and unit); the result has their common type.
    Value,
    /// A metric named in a derived formula (`offset`).
    Metric,
    /// A duration literal such as `1y` (`offset`).
    Duration,
}

/// The type and unit of a call's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultRule {
    /// A dimensionless, never-null `int` (counts).
    Count,
    /// The first argument's type and unit.
    SameAsFirst,
    /// A `float` in the first argument's unit.
    FloatOfFirst,
    /// A `float` in the unit given (`h`, `d`).
    FloatIn(&'static str),
    /// The common type and unit of the `Value` arguments; null where any
    /// value is.
    Common,
    /// The common type and unit of the `Value` arguments; null only where
    /// every value is.
    FirstNonNull,
}

macro_rules! functions {
    ($($variant:ident {
        name: $name:literal,
        level: $level:ident,
        args: [$($arg:ident),*],
        optional: $optional:literal,
        variadic: $variadic:literal,
        result: $result:expr,
        in_derived: $in_derived:literal,
        signature: $signature:literal,
        doc: $doc:literal,
    })*) => {
        /// A function of the language.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Function { $($variant,)* }

        impl Function {
            /// Every function, in the order of the table.
            pub const ALL: &'static [Function] = &[$(Function::$variant,)*];

            /// The function's registry entry.
            pub fn spec(self) -> Spec {
                match self {
                    $(Function::$variant => Spec {
                        name: $name,
                        level: Level::$level,
                        args: &[$(ArgKind::$arg),*],
                        optional: $optional,
                        variadic: $variadic,
                        result: $result,
                        in_derived: $in_derived,
                        signature: $signature,
                        doc: $doc,
                    },)*
                }
            }
        }
    };
}

/// One entry of the registry.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    pub level: Level,
    /// The kind of each argument, in order.
    pub args: &'static [ArgKind],
    /// How many of the last `args` may be left out.
    pub optional: usize,
    /// Whether the last argument kind repeats (`coalesce(a, b, ...)`).
    pub variadic: bool,
    pub result: ResultRule,
    /// Allowed in a derived metric's formula.
    pub in_derived: bool,
    pub signature: &'static str,
    pub doc: &'static str,
}

functions! {
    Count {
        name: "count", level: Aggregate, args: [Any], optional: 1, variadic: false,
        result: ResultRule::Count, in_derived: false,
        signature: "count() · count(x) · count(where p)",
        doc: "rows, or rows where x is not null",
    }
    CountDistinct {
        name: "count_distinct", level: Aggregate, args: [Any], optional: 0, variadic: false,
        result: ResultRule::Count, in_derived: false,
        signature: "count_distinct(x)",
        doc: "distinct non-null values of x",
    }
    Sum {
        name: "sum", level: Aggregate, args: [Number], optional: 0, variadic: false,
        result: ResultRule::SameAsFirst, in_derived: false,
        signature: "sum(x)",
        doc: "the sum of x; null when no row counts",
    }
    Avg {
        name: "avg", level: Aggregate, args: [Number], optional: 0, variadic: false,
        result: ResultRule::FloatOfFirst, in_derived: false,
        signature: "avg(x)",
        doc: "the mean of the non-null values of x",
    }
    Min {
        name: "min", level: Aggregate, args: [Ordered], optional: 0, variadic: false,
        result: ResultRule::SameAsFirst, in_derived: false,
        signature: "min(x)",
        doc: "the smallest value of x (a number, string or time)",
    }
    Max {
        name: "max", level: Aggregate, args: [Ordered], optional: 0, variadic: false,
        result: ResultRule::SameAsFirst, in_derived: false,
        signature: "max(x)",
        doc: "the largest value of x (a number, string or time)",
    }
    Median {
        name: "median", level: Aggregate, args: [Number], optional: 0, variadic: false,
        result: ResultRule::FloatOfFirst, in_derived: false,
        signature: "median(x)",
        doc: "percentile(x, 0.5)",
    }
    Percentile {
        name: "percentile", level: Aggregate, args: [Number, Fraction], optional: 0, variadic: false,
        result: ResultRule::FloatOfFirst, in_derived: false,
        signature: "percentile(x, p)",
        doc: "exact, interpolating linearly between the two nearest values (SQL's percentile_cont); 0 <= p <= 1",
    }
    Coalesce {
        name: "coalesce", level: Row, args: [Value], optional: 0, variadic: true,
        result: ResultRule::FirstNonNull, in_derived: true,
        signature: "coalesce(a, b, ...)",
        doc: "the first argument that is not null",
    }
    Abs {
        name: "abs", level: Row, args: [Number], optional: 0, variadic: false,
        result: ResultRule::SameAsFirst, in_derived: true,
        signature: "abs(x)",
        doc: "the absolute value of x",
    }
    Round {
        name: "round", level: Row, args: [Number, Digits], optional: 1, variadic: false,
        result: ResultRule::SameAsFirst, in_derived: true,
        signature: "round(x) · round(x, digits)",
        doc: "x rounded half away from zero to a whole number of digits (default 0)",
    }
    Lower {
        name: "lower", level: Row, args: [Text], optional: 0, variadic: false,
        result: ResultRule::SameAsFirst, in_derived: false,
        signature: "lower(s)",
        doc: "s in lower case",
    }
    Upper {
        name: "upper", level: Row, args: [Text], optional: 0, variadic: false,
        result: ResultRule::SameAsFirst, in_derived: false,
        signature: "upper(s)",
        doc: "s in upper case",
    }
    HoursBetween {
        name: "hours_between", level: Row, args: [Time, Time], optional: 0, variadic: false,
        result: ResultRule::FloatIn("h"), in_derived: false,
        signature: "hours_between(t1, t2)",
        doc: "fractional hours from t1 to t2, in unit h",
    }
    DaysBetween {
        name: "days_between", level: Row, args: [Time, Time], optional: 0, variadic: false,
        result: ResultRule::FloatIn("d"), in_derived: false,
        signature: "days_between(t1, t2)",
        doc: "fractional days from t1 to t2, in unit d",
    }
    If {
        name: "if", level: Row, args: [Condition, Value, Value], optional: 0, variadic: false,
        result: ResultRule::Common, in_derived: true,
        signature: "if(condition, then, else)",
        doc: "then where the condition is true, else otherwise (also where it is null)",
    }
    Offset {
        name: "offset", level: Row, args: [Metric, Duration], optional: 0, variadic: false,
        result: ResultRule::SameAsFirst, in_derived: true,
        signature: "offset(metric, duration)",
        doc: "the metric at the same keys with its window moved back by the duration (a series period to the period of the same grain starting that much earlier, an as-of date that much earlier); only in derived formulas",
    }
}

impl Function {
    pub fn parse(name: &str) -> Option<Function> {
        Function::ALL.iter().copied().find(|f| f.name() == name)
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn is_aggregate(self) -> bool {
        self.spec().level == Level::Aggregate
    }

    /// Fewest and most arguments (`usize::MAX` when variadic).
    pub fn arity(self) -> (usize, usize) {
        let spec = self.spec();
        let most = if spec.variadic {
            usize::MAX
        } else {
            spec.args.len()
        };
        (spec.args.len() - spec.optional, most)
    }

    /// The kind of the argument at `index`.
    pub fn arg_kind(self, index: usize) -> ArgKind {
        let args = self.spec().args;
        args.get(index)
            .or(args.last())
            .copied()
            .unwrap_or(ArgKind::Any)
    }
}

impl ArgKind {
    fn describe(self) -> &'static str {
        match self {
            ArgKind::Any => "any value",
            ArgKind::Number => "a number",
            ArgKind::Text => "a string",
            ArgKind::Time => "a date or timestamp",
            ArgKind::Condition => "true or false",
            ArgKind::Ordered => "a number, string or time",
            ArgKind::Fraction => "a constant from 0 to 1",
            ArgKind::Digits => "a constant whole number",
            ArgKind::Value => "values of one type and unit",
            ArgKind::Metric => "a metric",
            ArgKind::Duration => "a duration",
        }
    }
}

impl ResultRule {
    fn describe(self) -> String {
        match self {
            ResultRule::Count => "int, dimensionless".to_owned(),
            ResultRule::SameAsFirst => "the type and unit of the first argument".to_owned(),
            ResultRule::FloatOfFirst => "float, in the unit of the first argument".to_owned(),
            ResultRule::FloatIn(unit) => format!("float, in `{unit}`"),
            ResultRule::Common | ResultRule::FirstNonNull => {
                "the common type and unit of the values".to_owned()
            }
        }
    }
}

/// The markdown table of every function, as `docs/functions.md` shows it.
pub fn reference_table() -> String {
    let mut out = String::from(
        "| function | level | arguments | result | what it computes |\n|---|---|---|---|---|\n",
    );
    for f in Function::ALL {
        let spec = f.spec();
        let level = match (spec.level, spec.in_derived) {
            (Level::Aggregate, _) => "aggregate",
            (Level::Row, true) => "row, derived",
            (Level::Row, false) => "row",
        };
        let mut args: Vec<&str> = spec.args.iter().map(|a| a.describe()).collect();
        args.dedup();
        out.push_str(&format!(
            "| `{}` | {level} | {} | {} | {} |\n",
            spec.signature,
            args.join("; "),
            spec.result.describe(),
            spec.doc
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Function;

    #[test]
    fn names_parse_back_to_their_function() {
        for f in Function::ALL {
            assert_eq!(Function::parse(f.name()), Some(*f));
        }
        assert_eq!(Function::parse("stddev"), None);
    }

    #[test]
    fn arity_follows_the_argument_list() {
        assert_eq!(Function::Count.arity(), (0, 1));
        assert_eq!(Function::Percentile.arity(), (2, 2));
        assert_eq!(Function::Round.arity(), (1, 2));
        assert_eq!(Function::Coalesce.arity(), (1, usize::MAX));
        assert_eq!(Function::If.arity(), (3, 3));
    }

    #[test]
    fn the_docs_list_every_function_from_the_registry() {
        let docs = include_str!("../../docs/functions.md");
        assert!(
            docs.contains(&super::reference_table()),
            "docs/functions.md is out of step with the registry; paste in:\n{}",
            super::reference_table()
        );
    }
}
