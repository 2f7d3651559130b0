//! Checking a query against the library (LANGUAGE.md §6): the metrics
//! exist, the dimensions and the `--where` are allowed for every metric,
//! the grain and dates read. The result is a [`Request`] of resolved ids
//! that lowering takes in one call, or diagnostics with stable codes and
//! spans over the argument they came from.
//!
//! Each argument has a span in a file of the caller's making (the command
//! line, a case file's `// query:` line), so problems render like any other.

mod args;
mod request;

pub use args::{split_words, Arg, QueryArgs};
pub use request::{base_metrics, Dimension, Grain, Request};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{ColumnRef, Duration, DurationUnit, MetricId, TypedExpr};
use crate::model::{Definition, Library, Metric};
use crate::resolve::offset_time;
use crate::resolve::suggest::did_you_mean;
use crate::resolve::RowScope;
use crate::span::Span;
use crate::types::check::{Checker, Mode};
use chrono::NaiveDate;

/// The first offset `metric` reads (through its inputs too) that is not a
/// whole number of days.
fn hourly_offset(library: &Library, metric: &Metric) -> Option<(MetricId, Duration)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut stack = vec![metric];
    while let Some(m) = stack.pop() {
        if !seen.insert(m.name.as_str()) {
            continue;
        }
        let Definition::Derived(d) = &m.definition else {
            continue;
        };
        if let Some((moved, by)) = d
            .formula
            .offsets()
            .into_iter()
            .find(|(_, by)| !offset_time::whole_days(*by))
        {
            return Some((moved.clone(), by));
        }
        stack.extend(d.inputs.iter().filter_map(|i| library.metric(i)));
    }
    None
}

/// Checks `args` against `library`: a request when every argument is
/// sound, and every problem found.
pub fn check(library: &Library, args: &QueryArgs) -> (Option<Request>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let request = Checking {
        library,
        args,
        diags: &mut diags,
    }
    .run();
    (request.filter(|_| !diags.has_errors()), diags)
}

struct Checking<'a> {
    library: &'a Library,
    args: &'a QueryArgs,
    diags: &'a mut Diagnostics,
}

fn arguments(span: Span, message: String, label: &str, help: &str) -> Diagnostic {
    Diagnostic::error(Code::QueryArguments, span, message)
        .label(label.to_owned())
        .help(help.to_owned())
}

impl<'a> Checking<'a> {
    fn run(mut self) -> Option<Request> {
        let args = self.args;
        let metrics = self.metrics();
        let by = self.dimensions(&metrics);
        let grain = self.grain();
        let from = self.date(args.from.as_ref(), "--from");
        let to = self.date(args.to.as_ref(), "--to");
        let as_of = self.date(args.as_of.as_ref(), "--as-of");
        let last = self.last();
        self.frame(grain, from, to);
        self.offsets_fit(&metrics, grain);
        let filter = match &args.filter {
            Some(text) if !metrics.is_empty() => self.filter(text, &metrics),
            _ => None,
        };
        if metrics.is_empty() || self.diags.has_errors() {
            return None;
        }
        Some(Request {
            metrics: metrics.iter().map(|m| MetricId(m.name.clone())).collect(),
            by,
            grain,
            from,
            to,
            last,
            as_of,
            filter,
        })
    }

    fn metrics(&mut self) -> Vec<&'a Metric> {
        let library = self.library;
        if self.args.metrics.is_empty() {
            self.diags.push(arguments(
                self.args.span,
                "name at least one metric".to_owned(),
                "no metric",
                "for example `yardstick query nps`; `yardstick compile --emit ir` lists them all",
            ));
        }
        let mut out: Vec<&Metric> = Vec::new();
        for arg in &self.args.metrics {
            let Some(metric) = library.metrics.get(&arg.text) else {
                let mut d = Diagnostic::error(
                    Code::Unresolved,
                    arg.span,
                    format!("no metric named `{}`", arg.text),
                )
                .label("unknown metric");
                d = match did_you_mean(&arg.text, library.metrics.keys().map(String::as_str)) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help("`yardstick compile --emit ir` lists the library's metrics"),
                };
                self.diags.push(d);
                continue;
            };
            if out.iter().any(|m| m.name == metric.name) {
                self.diags.push(arguments(
                    arg.span,
                    format!("`{}` is asked for twice", arg.text),
                    "repeated",
                    "name each metric once",
                ));
                continue;
            }
            out.push(metric);
        }
        out
    }

    /// The first metric that does not allow `dim`.
    fn refusing<'m>(metrics: &[&'m Metric], dim: &str) -> Option<&'m Metric> {
        metrics
            .iter()
            .find(|m| !m.dimensions.iter().any(|d| d == dim))
            .copied()
    }

    fn dimensions(&mut self, metrics: &[&Metric]) -> Vec<Dimension> {
        let mut out: Vec<Dimension> = Vec::new();
        for arg in &self.args.by {
            if out.iter().any(|d| d.name == arg.text) {
                self.diags.push(arguments(
                    arg.span,
                    format!("`{}` is given twice in `--by`", arg.text),
                    "repeated",
                    "group by each dimension once",
                ));
                continue;
            }
            if let Some(m) = Self::refusing(metrics, &arg.text) {
                let mut d = Diagnostic::error(
                    Code::DimensionNotAllowed,
                    arg.span,
                    format!("`{}` cannot be grouped by `{}`", m.name, arg.text),
                )
                .label("not a dimension of this metric");
                d = match did_you_mean(&arg.text, m.dimensions.iter().map(String::as_str)) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None if m.dimensions.is_empty() => {
                        d.help(format!("`{}` has no dimensions", m.name))
                    }
                    None => d.help(format!("its dimensions: {}", m.dimensions.join(", "))),
                };
                self.diags.push(d);
                continue;
            }
            out.push(Dimension {
                name: arg.text.clone(),
                column: ColumnRef::from_path(&arg.text),
            });
        }
        out
    }

    fn grain(&mut self) -> Option<Grain> {
        let arg = self.args.grain.as_ref()?;
        let grain = Grain::parse(&arg.text);
        if grain.is_none() {
            let mut d = Diagnostic::error(
                Code::QueryGrain,
                arg.span,
                format!("`{}` is not a grain", arg.text),
            )
            .label("not a period length");
            d = match did_you_mean(&arg.text, Grain::NAMES.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(crate::query::Grain::HELP),
            };
            self.diags.push(d);
        }
        grain
    }

    fn date(&mut self, arg: Option<&Arg>, flag: &str) -> Option<NaiveDate> {
        let arg = arg?;
        let date = NaiveDate::parse_from_str(arg.text.trim(), "%Y-%m-%d").ok();
        if date.is_none() {
            self.diags.push(
                Diagnostic::error(
                    Code::QueryDate,
                    arg.span,
                    format!("`{flag}` needs a date, not `{}`", arg.text),
                )
                .label("not a date")
                .help("write dates as YYYY-MM-DD with a real month and day, such as 2026-06-30"),
            );
        }
        date
    }

    /// `--last 90d`: a whole number and one of d, w, mo, q, y; for a series
    /// (it needs `--grain`) and instead of `--from`.
    fn last(&mut self) -> Option<Duration> {
        let args = self.args;
        let arg = args.last.as_ref()?;
        let text = arg.text.trim();
        let digits = text.chars().take_while(char::is_ascii_digit).count();
        let (amount, suffix) = text.split_at(digits);
        let parsed = amount
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .zip(DurationUnit::parse(suffix))
            .filter(|(_, unit)| {
                !matches!(
                    unit,
                    DurationUnit::Second | DurationUnit::Minute | DurationUnit::Hour
                )
            })
            .map(|(amount, unit)| Duration { amount, unit });
        if parsed.is_none() {
            self.diags.push(arguments(
                arg.span,
                format!("`--last` needs a length of time, not `{}`", arg.text),
                "not a length of time",
                "write a whole number of days, weeks, months, quarters or years: 90d, 12w, 6mo, 2q, 1y",
            ));
        }
        if args.grain.is_none() {
            self.diags.push(arguments(
                arg.span,
                "`--last` bounds a series, which needs a `--grain`".to_owned(),
                "no --grain",
                "add `--grain week` (or day, month, quarter, year), or read one value with `--as-of`",
            ));
        }
        if args.from.is_some() {
            self.diags.push(arguments(
                arg.span,
                "`--last` and `--from` both set where the series starts".to_owned(),
                "with --from",
                "keep one: `--last 90d` counts back from `--to` (or the newest data), `--from` names the date",
            ));
        }
        parsed
    }

    /// `--from`/`--to` go with a grain, `--as-of` without one.
    fn frame(&mut self, grain: Option<Grain>, from: Option<NaiveDate>, to: Option<NaiveDate>) {
        let args = self.args;
        let grain_given = args.grain.is_some();
        if !grain_given {
            for arg in [&args.from, &args.to].into_iter().flatten() {
                self.diags.push(arguments(
                    arg.span,
                    "`--from` and `--to` bound a series, which needs a `--grain`".to_owned(),
                    "no --grain",
                    "add `--grain month` (or hour, day, week, quarter, year), or read one value with `--as-of`",
                ));
            }
        }
        if let (true, Some(arg)) = (grain_given, &args.as_of) {
            self.diags.push(arguments(
                arg.span,
                "`--as-of` reads one value, but `--grain` asks for a series".to_owned(),
                "with --grain",
                "drop `--grain` for one value, or bound the series with `--from` and `--to`",
            ));
        }
        if let (Some(from), Some(to), Some(arg)) = (from, to, &args.from) {
            if from > to && grain.is_some() {
                self.diags.push(arguments(
                    arg.span,
                    format!("`--from {from}` is after `--to {to}`"),
                    "after --to",
                    "swap the two dates",
                ));
            }
        }
    }

    /// An offset that is not a whole number of days moves only periods
    /// that start on any hour: a series read `--grain hour`. An as-of value
    /// and a period of a day or longer start at midnight (`offset_time`
    /// checked the rest with the library).
    fn offsets_fit(&mut self, metrics: &[&Metric], grain: Option<Grain>) {
        if grain == Some(Grain::Hour) {
            return;
        }
        let read = match grain {
            Some(g) => format!(
                "reads periods of a {} (`--grain {0}`), which start at midnight",
                g.name()
            ),
            None => "reads one value as of a date, whose window ends at midnight".to_owned(),
        };
        for metric in metrics {
            let Some((moved, by)) = hourly_offset(self.library, metric) else {
                continue;
            };
            let Some(arg) = self.args.metrics.iter().find(|a| a.text == metric.name) else {
                continue;
            };
            self.diags.push(
                Diagnostic::error(
                    Code::OffsetGrain,
                    arg.span,
                    format!(
                        "`{}` reads `offset({moved}, {by})`, which is not a whole number of days, but this query {read}: moved by `{by}`, that boundary would fall mid-day",
                        metric.name
                    ),
                )
                .label("offset finer than the query's periods")
                .help("read it as a series with `--grain hour`, or offset by whole days"),
            );
        }
    }

    /// The `--where`: it parses, names only dimensions every metric allows,
    /// and types as a condition over each source the query reads.
    fn filter(&mut self, arg: &Arg, metrics: &[&Metric]) -> Option<TypedExpr> {
        let mut parse = Diagnostics::new();
        let expr = crate::syntax::parse_expression_at(
            arg.span.file,
            arg.span.start as usize,
            &arg.text,
            &mut parse,
        );
        let parsed_clean = expr.is_some();
        self.diags.extend(parse);
        let expr = expr.filter(|_| parsed_clean)?;
        let mut named = Vec::new();
        expr.walk(&mut |e| {
            if let crate::syntax::ast::ExprKind::Path { parts } = &e.kind {
                named.push((parts.join("."), e.span));
            }
        });
        let mut allowed = true;
        for (dim, span) in named {
            if let Some(m) = Self::refusing(metrics, &dim) {
                allowed = false;
                self.diags.push(
                    Diagnostic::error(
                        Code::QueryWhere,
                        span,
                        format!(
                            "`--where` may only name dimensions every metric allows; `{}` does not allow `{dim}`",
                            m.name
                        ),
                    )
                    .label("not a dimension of every metric")
                    .help(if m.dimensions.is_empty() {
                        format!("`{}` has no dimensions", m.name)
                    } else {
                        format!("its dimensions: {}", m.dimensions.join(", "))
                    }),
                );
            }
        }
        if !allowed {
            return None;
        }
        let mut typed = None;
        for source in request::sources_of(self.library, metrics.iter().copied()) {
            let Some(source) = self.library.sources.get(&source) else {
                continue;
            };
            let scope = RowScope {
                source,
                sources: &self.library.sources,
            };
            let t = Checker::new(&scope, Mode::Row, self.diags).predicate(&expr, "`--where`");
            typed = typed.or(t);
        }
        typed
    }
}
