//! Time windows (LANGUAGE.md §6): the as-of window of a lookback, the
//! periods of a series, and trailing windows at each period end. All times
//! are UTC; every window is half-open `[start, end)`.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use yardstick_compiler::ir::{Duration, DurationUnit, Lookback};
pub use yardstick_compiler::query::Grain;

/// Most periods one series may have (a guard against `--grain day` over
/// centuries).
pub const MAX_PERIODS: usize = 20_000;

/// One period `[start, end)`, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    /// The period the result shows its values under: its own start, or
    /// for a period moved back by an `offset`, the start of the period it
    /// was moved from.
    pub label: NaiveDateTime,
}

pub fn midnight(date: NaiveDate) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN)
}

/// The period holding `time`; weeks start on Monday, hours on the hour.
pub fn period_of(time: NaiveDateTime, grain: Grain) -> Option<Period> {
    let date = time.date();
    let start = match grain {
        Grain::Hour => date.and_hms_opt(time.hour(), 0, 0)?,
        Grain::Day => midnight(date),
        Grain::Week => midnight(
            date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))?,
        ),
        Grain::Month => midnight(date.with_day(1)?),
        Grain::Quarter => midnight(NaiveDate::from_ymd_opt(
            date.year(),
            (date.month0() / 3) * 3 + 1,
            1,
        )?),
        Grain::Year => midnight(NaiveDate::from_ymd_opt(date.year(), 1, 1)?),
    };
    Some(Period {
        start,
        end: next_start(start, grain)?,
        label: start,
    })
}

fn next_start(start: NaiveDateTime, grain: Grain) -> Option<NaiveDateTime> {
    match grain {
        Grain::Hour => start.checked_add_signed(chrono::Duration::try_hours(1)?),
        Grain::Day => start.checked_add_days(Days::new(1)),
        Grain::Week => start.checked_add_days(Days::new(7)),
        Grain::Month => start.checked_add_months(Months::new(1)),
        Grain::Quarter => start.checked_add_months(Months::new(3)),
        Grain::Year => start.checked_add_months(Months::new(12)),
    }
}

/// Every period from the one holding the first moment of `from` to the one
/// holding the last moment of `to`; `None` when there would be more than
/// [`MAX_PERIODS`].
pub fn periods(from: NaiveDate, to: NaiveDate, grain: Grain) -> Option<Vec<Period>> {
    let mut out = Vec::new();
    let mut current = period_of(midnight(from), grain)?;
    let end = midnight(to.checked_add_days(Days::new(1))?);
    while current.start < end {
        if out.len() >= MAX_PERIODS {
            return None;
        }
        out.push(current);
        current = period_of(current.end, grain)?;
    }
    Some(out)
}

/// `period` moved back by `by` (LANGUAGE.md §11): the period of the same
/// grain that starts `by` earlier (calendar units step by calendar months,
/// clamping to the month's last day), still shown as `period`.
pub fn shifted_period(period: Period, grain: Grain, by: Duration) -> Option<Period> {
    let start = trailing_start(period.start, by)?;
    Some(Period {
        start,
        end: next_start(start, grain)?,
        label: period.label,
    })
}

/// An as-of date moved back by `by`; `None` off the calendar, or when a
/// duration of hours, minutes or seconds is not a whole number of days (an
/// as-of value is a day's).
pub fn shifted_as_of(as_of: NaiveDate, by: Duration) -> Option<NaiveDate> {
    let moved = trailing_start(midnight(as_of), by)?;
    (moved.time() == NaiveTime::MIN).then(|| moved.date())
}

/// The start of a window that ends (exclusively) at `end`: a trailing
/// duration (calendar units step back by calendar months), or the start of
/// the calendar month, quarter or year holding the window's last moment.
pub fn window_start(end: NaiveDateTime, lookback: Lookback) -> Option<NaiveDateTime> {
    match lookback {
        Lookback::Duration(d) => trailing_start(end, d),
        Lookback::ToDate(grain) => {
            let last = end.checked_sub_signed(chrono::Duration::microseconds(1))?;
            Some(period_of(last, grain)?.start)
        }
    }
}

fn trailing_start(end: NaiveDateTime, lookback: Duration) -> Option<NaiveDateTime> {
    let n = i64::from(lookback.amount);
    let fixed = |seconds: i64| end.checked_sub_signed(chrono::Duration::try_seconds(seconds)?);
    match lookback.unit {
        DurationUnit::Second => fixed(n),
        DurationUnit::Minute => fixed(n.checked_mul(60)?),
        DurationUnit::Hour => fixed(n.checked_mul(3_600)?),
        DurationUnit::Day => fixed(n.checked_mul(86_400)?),
        DurationUnit::Week => fixed(n.checked_mul(604_800)?),
        DurationUnit::Month => end.checked_sub_months(Months::new(lookback.amount)),
        DurationUnit::Quarter => {
            end.checked_sub_months(Months::new(lookback.amount.checked_mul(3)?))
        }
        DurationUnit::Year => end.checked_sub_months(Months::new(lookback.amount.checked_mul(12)?)),
    }
}

/// The window of an as-of value: the lookback ending with the as-of date,
/// inclusive; with no lookback, everything up to the end of that date.
pub fn as_of_window(
    as_of: NaiveDate,
    lookback: Option<Lookback>,
) -> Option<(Option<NaiveDateTime>, NaiveDateTime)> {
    let end = midnight(as_of.checked_add_days(Days::new(1))?);
    let start = match lookback {
        Some(l) => Some(window_start(end, l)?),
        None => None,
    };
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn dur(amount: u32, unit: DurationUnit) -> Lookback {
        Lookback::Duration(Duration { amount, unit })
    }

    #[test]
    fn ninety_days_as_of_june_30_starts_april_2() {
        // LANGUAGE.md §6: [2026-04-02T00:00Z, 2026-07-01T00:00Z).
        let (start, end) =
            as_of_window(d("2026-06-30"), Some(dur(90, DurationUnit::Day))).expect("window");
        assert_eq!(start, Some(midnight(d("2026-04-02"))));
        assert_eq!(end, midnight(d("2026-07-01")));
    }

    #[test]
    fn calendar_lookbacks_step_back_from_the_day_after() {
        let (start, _) =
            as_of_window(d("2026-06-30"), Some(dur(3, DurationUnit::Month))).expect("window");
        assert_eq!(start, Some(midnight(d("2026-04-01"))));
        let (start, _) =
            as_of_window(d("2026-06-30"), Some(dur(1, DurationUnit::Quarter))).expect("window");
        assert_eq!(start, Some(midnight(d("2026-04-01"))));
        let (start, _) =
            as_of_window(d("2026-02-27"), Some(dur(1, DurationUnit::Year))).expect("window");
        assert_eq!(start, Some(midnight(d("2025-02-28"))));
        // Month ends clamp: the day after 2026-05-30 is 05-31; 3 months back
        // is 02-31, which is 02-28.
        let (start, _) =
            as_of_window(d("2026-05-30"), Some(dur(3, DurationUnit::Month))).expect("window");
        assert_eq!(start, Some(midnight(d("2026-02-28"))));
    }

    #[test]
    fn hours_and_weeks_are_fixed_lengths() {
        let end = midnight(d("2026-06-30"));
        assert_eq!(
            window_start(end, dur(24, DurationUnit::Hour)),
            Some(midnight(d("2026-06-29")))
        );
        assert_eq!(
            window_start(end, dur(2, DurationUnit::Week)),
            Some(midnight(d("2026-06-16")))
        );
    }

    #[test]
    fn weeks_start_on_monday_and_quarters_on_their_first_month() {
        // 2026-07-02 is a Thursday.
        let week = period_of(midnight(d("2026-07-02")), Grain::Week).expect("week");
        assert_eq!(
            (week.start, week.end),
            (midnight(d("2026-06-29")), midnight(d("2026-07-06")))
        );
        let q = period_of(midnight(d("2026-08-15")), Grain::Quarter).expect("quarter");
        assert_eq!(
            (q.start, q.end),
            (midnight(d("2026-07-01")), midnight(d("2026-10-01")))
        );
        let all = periods(d("2026-01-15"), d("2026-03-01"), Grain::Month).expect("periods");
        let starts: Vec<_> = all.iter().map(|p| p.start).collect();
        assert_eq!(
            starts,
            vec![
                midnight(d("2026-01-01")),
                midnight(d("2026-02-01")),
                midnight(d("2026-03-01"))
            ]
        );
    }

    #[test]
    fn hours_run_from_the_first_hour_of_from_to_the_last_hour_of_to() {
        let all = periods(d("2026-03-01"), d("2026-03-02"), Grain::Hour).expect("periods");
        assert_eq!(all.len(), 48);
        assert_eq!(
            all.first().map(|p| p.start),
            Some(midnight(d("2026-03-01")))
        );
        assert_eq!(all.last().map(|p| p.end), Some(midnight(d("2026-03-03"))));
        let at = d("2026-03-01").and_hms_opt(13, 45, 10).expect("time");
        let p = period_of(at, Grain::Hour).expect("hour");
        assert_eq!(
            p.start,
            d("2026-03-01").and_hms_opt(13, 0, 0).expect("time")
        );
        assert_eq!(p.end, d("2026-03-01").and_hms_opt(14, 0, 0).expect("time"));
    }

    #[test]
    fn to_date_windows_start_at_the_calendar_unit_holding_the_last_day() {
        // LANGUAGE.md §11: as of 2026-05-20, qtd is [2026-04-01, 2026-05-21).
        let qtd = Lookback::ToDate(Grain::Quarter);
        let (start, end) = as_of_window(d("2026-05-20"), Some(qtd)).expect("window");
        assert_eq!(start, Some(midnight(d("2026-04-01"))));
        assert_eq!(end, midnight(d("2026-05-21")));
        // The week of Monday 2026-03-30 ends on Sunday 04-05: [04-01, 04-06).
        let week = period_of(midnight(d("2026-03-30")), Grain::Week).expect("week");
        assert_eq!(window_start(week.end, qtd), Some(midnight(d("2026-04-01"))));
        // As of the first day, the window is that one day.
        let mtd = Lookback::ToDate(Grain::Month);
        let (start, _) = as_of_window(d("2026-06-01"), Some(mtd)).expect("window");
        assert_eq!(start, Some(midnight(d("2026-06-01"))));
        let ytd = Lookback::ToDate(Grain::Year);
        let (start, _) = as_of_window(d("2026-12-31"), Some(ytd)).expect("window");
        assert_eq!(start, Some(midnight(d("2026-01-01"))));
    }

    #[test]
    fn offsets_move_periods_and_dates_back_by_the_calendar() {
        let year = Duration {
            amount: 1,
            unit: DurationUnit::Year,
        };
        let month = Duration {
            amount: 1,
            unit: DurationUnit::Month,
        };
        // LANGUAGE.md §11: 2020-03-30 minus 1mo is 2020-02-29.
        assert_eq!(shifted_as_of(d("2020-03-30"), month), Some(d("2020-02-29")));
        assert_eq!(shifted_as_of(d("2024-02-29"), year), Some(d("2023-02-28")));
        let day = Duration {
            amount: 36,
            unit: DurationUnit::Hour,
        };
        assert_eq!(shifted_as_of(d("2026-03-03"), day), None);
        // A week moved back a year is the week of the same grain starting
        // that day, shown under the week it was moved from.
        let week = period_of(midnight(d("2026-03-30")), Grain::Week).expect("week");
        let moved = shifted_period(week, Grain::Week, year).expect("moved");
        assert_eq!(
            (moved.start, moved.end, moved.label),
            (
                midnight(d("2025-03-30")),
                midnight(d("2025-04-06")),
                midnight(d("2026-03-30"))
            )
        );
        let march = period_of(midnight(d("2026-03-01")), Grain::Month).expect("month");
        let moved = shifted_period(march, Grain::Month, month).expect("moved");
        assert_eq!(
            (moved.start, moved.end),
            (midnight(d("2026-02-01")), midnight(d("2026-03-01")))
        );
    }

    #[test]
    fn too_many_periods_are_refused() {
        assert!(periods(d("1000-01-01"), d("2900-01-01"), Grain::Day).is_none());
        // 20,000 hours is under 834 days.
        assert!(periods(d("2026-01-01"), d("2028-06-30"), Grain::Hour).is_none());
        assert!(periods(d("2026-01-01"), d("2027-12-31"), Grain::Hour).is_some());
    }
}
