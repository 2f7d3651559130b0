//! Decoding literal text (`70%`, `90d`, `@2026-01-01`, `"a\"b"`) into values.

use super::ast::{Duration, DurationUnit, ExprKind};
use super::parser::Rule;
use chrono::{DateTime, NaiveDate};

/// Why a literal could not be read.
pub struct LiteralProblem {
    pub message: String,
    pub help: String,
}

fn problem(message: impl Into<String>, help: impl Into<String>) -> LiteralProblem {
    LiteralProblem {
        message: message.into(),
        help: help.into(),
    }
}

pub(super) fn decode(rule: Rule, text: &str) -> Result<ExprKind, LiteralProblem> {
    Ok(match rule {
        Rule::number_lit => {
            let value = number(text)?;
            let integer = !text.contains(['.', 'e', 'E']);
            if integer && value.abs() > MAX_EXACT_INT {
                return Err(problem(
                    format!("`{text}` is too large a whole number to hold exactly"),
                    "whole numbers go up to 9007199254740992; write a larger one as a float, such as 1e16",
                ));
            }
            ExprKind::Number { value, integer }
        }
        Rule::percent_lit => ExprKind::Percent {
            value: number(text.trim_end_matches('%'))? / 100.0,
        },
        Rule::string_lit => ExprKind::String {
            value: string(text)?,
        },
        Rule::bool_lit => ExprKind::Bool {
            value: text == "true",
        },
        Rule::null_lit => ExprKind::Null,
        Rule::duration_lit => ExprKind::Duration {
            value: duration(text).ok_or_else(|| {
                problem(
                    format!("`{text}` is not a duration this language can hold"),
                    "durations are a whole number up to 4294967295 and a unit: s, min, h, d, w, mo, q, y",
                )
            })?,
        },
        Rule::date_lit => {
            let body = text.trim_start_matches('@');
            let date = NaiveDate::parse_from_str(body, "%Y-%m-%d").map_err(|_| {
                problem(
                    format!("`{text}` is not a calendar date"),
                    "write dates as @YYYY-MM-DD with a real month and day",
                )
            })?;
            ExprKind::Date {
                days: days_since_epoch(date),
                text: body.to_owned(),
            }
        }
        Rule::timestamp_lit => {
            let body = text.trim_start_matches('@');
            let micros = timestamp_micros(body).ok_or_else(|| {
                problem(
                    format!("`{text}` is not a valid timestamp"),
                    "write instants as @YYYY-MM-DDTHH:MM:SSZ (UTC) or with an offset such as +02:00",
                )
            })?;
            ExprKind::Timestamp {
                micros,
                text: body.to_owned(),
            }
        }
        _ => return Err(problem("not a literal", "")),
    })
}

/// The largest whole number a literal may be: every integer up to it has an
/// exact `f64`, so it reaches the IR as the `int` it was written as.
pub const MAX_EXACT_INT: f64 = 9_007_199_254_740_992.0;

fn number(text: &str) -> Result<f64, LiteralProblem> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(problem(
            format!("`{text}` is too large a number"),
            "numbers go up to about 1.7e308",
        )),
        Err(_) => Err(problem(
            format!("`{text}` is not a number"),
            "write numbers as 42, 0.25 or 1e6",
        )),
    }
}

pub(super) fn duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, suffix) = text.split_at(split);
    Some(Duration {
        amount: digits.parse().ok()?,
        unit: DurationUnit::parse(suffix)?,
    })
}

fn string(text: &str) -> Result<String, LiteralProblem> {
    let body = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            other => {
                return Err(problem(
                    format!(
                        "unknown escape `\\{}` in a string",
                        other.map(String::from).unwrap_or_default()
                    ),
                    "strings know the escapes \\\" \\\\ \\n and \\t",
                ))
            }
        }
    }
    Ok(out)
}

fn days_since_epoch(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from((date - epoch).num_days()).unwrap_or(i32::MAX)
}

/// Microseconds since the epoch; a timestamp without a zone is UTC.
fn timestamp_micros(body: &str) -> Option<i64> {
    let (date_time, zone) = split_zone(body);
    let with_seconds = if date_time.len() == "YYYY-MM-DDTHH:MM".len() {
        format!("{date_time}:00")
    } else {
        date_time.to_owned()
    };
    let zone = if zone.is_empty() { "Z" } else { zone };
    DateTime::parse_from_rfc3339(&format!("{with_seconds}{zone}"))
        .ok()
        .map(|t| t.timestamp_micros())
}

fn split_zone(body: &str) -> (&str, &str) {
    if let Some(stripped) = body.strip_suffix('Z') {
        return (stripped, "Z");
    }
    // An offset is the last six characters: +HH:MM or -HH:MM after the time.
    if body.len() > 6 {
        let (head, tail) = body.split_at(body.len() - 6);
        if (tail.starts_with('+') || tail.starts_with('-')) && head.contains('T') {
            return (head, tail);
        }
    }
    (body, "")
}

/// Formats days since the epoch as `YYYY-MM-DD`.
pub fn format_date(days: i32) -> String {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|e| e.checked_add_signed(chrono::Duration::days(days.into())))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| days.to_string())
}
