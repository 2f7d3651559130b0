//! The operators, duration literals and grains, shared by the syntax tree and the
//! typed IR: they mean the same in both.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    And,
    Or,
    Cmp(CmpOp),
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::Cmp(c) => c.symbol(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    pub fn parse(text: &str) -> Option<CmpOp> {
        Some(match text {
            "==" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            _ => return None,
        })
    }
}

/// A duration literal: `90d`, `3mo`. Calendar units stay calendar units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Duration {
    pub amount: u32,
    pub unit: DurationUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DurationUnit {
    #[serde(rename = "s")]
    Second,
    #[serde(rename = "min")]
    Minute,
    #[serde(rename = "h")]
    Hour,
    #[serde(rename = "d")]
    Day,
    #[serde(rename = "w")]
    Week,
    #[serde(rename = "mo")]
    Month,
    #[serde(rename = "q")]
    Quarter,
    #[serde(rename = "y")]
    Year,
}

impl DurationUnit {
    pub fn parse(suffix: &str) -> Option<DurationUnit> {
        Some(match suffix {
            "s" => DurationUnit::Second,
            "min" => DurationUnit::Minute,
            "h" => DurationUnit::Hour,
            "d" => DurationUnit::Day,
            "w" => DurationUnit::Week,
            "mo" => DurationUnit::Month,
            "q" => DurationUnit::Quarter,
            "y" => DurationUnit::Year,
            _ => return None,
        })
    }

    pub fn suffix(self) -> &'static str {
        match self {
            DurationUnit::Second => "s",
            DurationUnit::Minute => "min",
            DurationUnit::Hour => "h",
            DurationUnit::Day => "d",
            DurationUnit::Week => "w",
            DurationUnit::Month => "mo",
            DurationUnit::Quarter => "q",
            DurationUnit::Year => "y",
        }
    }

    /// Months, quarters and years step by the calendar, not by a fixed length.
    pub fn is_calendar(self) -> bool {
        matches!(
            self,
            DurationUnit::Month | DurationUnit::Quarter | DurationUnit::Year
        )
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.suffix())
    }
}

/// The period length of a series (hours are UTC hours), and the calendar
/// unit of a period-to-date lookback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Grain {
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Grain {
    pub const NAMES: &'static [&'static str] = &["hour", "day", "week", "month", "quarter", "year"];

    pub fn name(self) -> &'static str {
        match self {
            Grain::Hour => "hour",
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }

    pub fn parse(name: &str) -> Option<Grain> {
        Some(match name {
            "hour" => Grain::Hour,
            "day" => Grain::Day,
            "week" => Grain::Week,
            "month" => Grain::Month,
            "quarter" => Grain::Quarter,
            "year" => Grain::Year,
            _ => return None,
        })
    }

    /// The grains as a help line lists them.
    pub const HELP: &'static str = "grains: hour, day, week, month, quarter, year";
}

/// A metric's window: a trailing duration (`90d`), or from the start of
/// the calendar month, quarter or year holding its last day (`mtd`, `qtd`,
/// `ytd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lookback {
    Duration(Duration),
    ToDate(Grain),
}

impl Lookback {
    /// The period-to-date words and the calendar unit each starts at.
    pub const TO_DATE: &'static [(&'static str, Grain)] = &[
        ("mtd", Grain::Month),
        ("qtd", Grain::Quarter),
        ("ytd", Grain::Year),
    ];

    pub fn to_date(word: &str) -> Option<Lookback> {
        Lookback::TO_DATE
            .iter()
            .find(|(w, _)| *w == word)
            .map(|(_, g)| Lookback::ToDate(*g))
    }
}

impl std::fmt::Display for Lookback {
    /// The canonical text: `90d`, or `mtd`/`qtd`/`ytd`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lookback::Duration(d) => d.fmt(f),
            Lookback::ToDate(g) => match Lookback::TO_DATE.iter().find(|(_, x)| x == g) {
                Some((word, _)) => f.write_str(word),
                None => write!(f, "{}-to-date", g.name()),
            },
        }
    }
}

/// A duration as before (`{"amount": 90, "unit": "d"}`); a period-to-date
/// window as `{"to_date": "month"}`.
impl Serialize for Lookback {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Lookback::Duration(d) => d.serialize(serializer),
            Lookback::ToDate(g) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("to_date", g)?;
                map.end()
            }
        }
    }
}
