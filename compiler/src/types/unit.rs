//! Units of measure and their dimensional analysis: `usd`, `min`, `usd/min`.
//! A unit is a product of base units with integer exponents; the empty
//! product is dimensionless.

use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Unit {
    exponents: BTreeMap<String, i32>,
}

/// Names that mean "dimensionless" in a metric's `unit` field.
pub const DIMENSIONLESS_NAMES: &[&str] = &["ratio", "score", "count", "percent"];
/// The duration units a column may carry.
pub const DURATION_UNITS: &[&str] = &["s", "min", "h", "d"];

impl Unit {
    pub fn dimensionless() -> Unit {
        Unit::default()
    }

    pub fn base(name: &str) -> Unit {
        Unit {
            exponents: BTreeMap::from([(name.to_owned(), 1)]),
        }
    }

    /// A unit name written after `@` on a column or in a `unit:` field:
    /// a duration unit or a three-letter currency code.
    pub fn named(name: &str) -> Option<Unit> {
        if DURATION_UNITS.contains(&name) || is_currency(name) {
            Some(Unit::base(name))
        } else {
            None
        }
    }

    /// A unit the language does not know, kept under its name after it
    /// was reported, so nothing that follows from it is reported again.
    pub fn opaque(name: &str) -> Unit {
        Unit::base(&format!("?{name}"))
    }

    /// Whether the unit is built from an unknown (opaque) unit.
    pub fn is_opaque(&self) -> bool {
        self.exponents.keys().any(|k| k.starts_with('?'))
    }

    pub fn is_dimensionless(&self) -> bool {
        self.exponents.is_empty()
    }

    pub fn mul(&self, other: &Unit) -> Unit {
        self.combine(other, 1)
    }

    pub fn div(&self, other: &Unit) -> Unit {
        self.combine(other, -1)
    }

    fn combine(&self, other: &Unit, sign: i32) -> Unit {
        let mut exponents = self.exponents.clone();
        for (name, exp) in &other.exponents {
            let entry = exponents.entry(name.clone()).or_insert(0);
            *entry += sign * exp;
            if *entry == 0 {
                exponents.remove(name);
            }
        }
        Unit { exponents }
    }
}

fn is_currency(name: &str) -> bool {
    name.len() == 3 && name.bytes().all(|b| b.is_ascii_lowercase())
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.exponents.is_empty() {
            return f.write_str("dimensionless");
        }
        let part = |name: &str, exp: i32| {
            if exp == 1 {
                name.to_owned()
            } else {
                format!("{name}^{exp}")
            }
        };
        let num: Vec<String> = self
            .exponents
            .iter()
            .filter(|(_, e)| **e > 0)
            .map(|(n, e)| part(n, *e))
            .collect();
        let den: Vec<String> = self
            .exponents
            .iter()
            .filter(|(_, e)| **e < 0)
            .map(|(n, e)| part(n, -*e))
            .collect();
        let num = if num.is_empty() {
            "1".to_owned()
        } else {
            num.join("*")
        };
        if den.is_empty() {
            f.write_str(&num)
        } else {
            write!(f, "{num}/{}", den.join("/"))
        }
    }
}

impl Serialize for Unit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_cancels_and_prints() {
        let usd = Unit::base("usd");
        let min = Unit::base("min");
        assert_eq!(usd.div(&min).to_string(), "usd/min");
        assert!(usd.div(&usd).is_dimensionless());
        assert_eq!(usd.mul(&usd).to_string(), "usd^2");
        assert_eq!(Unit::dimensionless().div(&min).to_string(), "1/min");
        assert!(Unit::named("eur").is_some());
        assert!(Unit::named("dollars").is_none());
    }
}
