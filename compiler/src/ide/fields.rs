//! The field keys each kind of block may hold, with one line on each, and
//! the words a field's value is chosen from. The resolver asks for these
//! keys by name (`resolve/metric.rs`, `source.rs`, `outcome.rs`,
//! `metric_checks.rs`); a test below compiles a block with an unknown field
//! and checks that the resolver's list of the fields there is this one.

/// A block of fields: a declaration's, or a block inside one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Metric,
    Source,
    Owner,
    Outcome,
    /// `sla { ... }` in a metric.
    Sla,
    /// `changelog { 2: "..." }` in a metric: keyed by version numbers.
    Changelog,
    /// `columns { name: type }` in a source.
    Columns,
    /// `test name { given ... expect ... }`.
    Test,
}

/// One field a block may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldKey {
    pub key: &'static str,
    pub doc: &'static str,
    /// Whether the key opens a block (`sla {`) rather than taking a value.
    pub block: bool,
    /// Whether a block may hold the key more than once (`where`, `join`).
    pub repeats: bool,
}

const fn field(key: &'static str, doc: &'static str) -> FieldKey {
    FieldKey {
        key,
        doc,
        block: false,
        repeats: false,
    }
}

const fn block(key: &'static str, doc: &'static str) -> FieldKey {
    FieldKey {
        key,
        doc,
        block: true,
        repeats: false,
    }
}

/// A key a block may hold more than once.
const fn again(key: FieldKey) -> FieldKey {
    FieldKey {
        repeats: true,
        ..key
    }
}

const METRIC: &[FieldKey] = &[
    field("title", "a short name people read: a string"),
    field(
        "description",
        "what the number means: a string (or `///` above)",
    ),
    field(
        "version",
        "the definition's version: a whole number, raised on breaking changes",
    ),
    field("owner", "the owner who answers for the number"),
    field("tier", "`leading` or `lagging`"),
    field(
        "drives",
        "outcomes this metric moves: `retention after 6mo, ...`",
    ),
    field(
        "unit",
        "the unit of the value: `ratio`, `score`, `count`, `usd`, `h`, ...",
    ),
    field("from", "the source whose rows a base metric aggregates"),
    field(
        "time",
        "the time column of the rows (default: the source's)",
    ),
    again(field(
        "where",
        "a row filter; several `where` must all hold",
    )),
    again(field(
        "exclude",
        "rows to leave out; several `exclude` add up",
    )),
    field(
        "formula",
        "the value: aggregates over rows, or other metrics",
    ),
    field(
        "lookback",
        "the window an as-of value reads: `90d`, `3mo`, `mtd`, `qtd`, `ytd`",
    ),
    field("dimensions", "the columns a query may group by"),
    field(
        "min_sample",
        "the fewest rows a value needs; fewer give null",
    ),
    field("fill", "`0`: empty periods of a series count 0"),
    field(
        "snapshot",
        "`last` or `first` [`per COLUMN`]: only the newest (oldest) rows of each window count",
    ),
    field(
        "per",
        "a two-level metric: the inner aggregates run per value of this column",
    ),
    field(
        "assert",
        "bounds every value must hold: `between 0 and 1`, `>= 0`",
    ),
    field(
        "deprecated",
        "`true` when readers should move to another metric",
    ),
    block("sla", "freshness, target and review of the number"),
    block("changelog", "what changed in each version: `2: \"...\"`"),
];

const SOURCE: &[FieldKey] = &[
    field("description", "what one row is: a string"),
    field(
        "path",
        "the data file or glob, relative to this file: a string",
    ),
    field(
        "format",
        "`parquet`, `csv`, `json` or `arrow` (default: from the extension)",
    ),
    field(
        "table",
        "the warehouse table a warehouse engine reads: \"name\" or \"schema.name\" (default: the source's name)",
    ),
    field("time", "the column a row's time is read from"),
    field(
        "key",
        "the column that identifies a row (what joins land on)",
    ),
    again(field(
        "exclude",
        "rows every metric of this source leaves out",
    )),
    field("dimensions", "the columns a query may group by"),
    block("columns", "the declared columns: `name: type? @unit`"),
    again(block(
        "join",
        "`join other on column`: another source's columns",
    )),
];

const OWNER: &[FieldKey] = &[
    field("name", "the owner's name as people read it: a string"),
    field("contact", "how to reach the owner: a string"),
    field("escalates_to", "the owner above this one"),
    field("description", "a string"),
];

const OUTCOME: &[FieldKey] = &[
    field(
        "description",
        "the outcome the business is steered by: a string",
    ),
    field("owner", "the owner who answers for it"),
    field("direction", "`higher` or `lower`: which way is better"),
    field("measured_by", "the metric that measures the outcome"),
];

const SLA: &[FieldKey] = &[
    field(
        "freshness",
        "how old the newest row may be: a duration (`48h`)",
    ),
    field("target", "the value aimed at: `>= 80%`, `between 1 and 2`"),
    field("review", "`weekly`, `monthly` or `quarterly`"),
];

const TEST: &[FieldKey] = &[
    again(block(
        "given",
        "`given source (col, ...) { (v, ...) }`: rows in",
    )),
    again(block(
        "expect",
        "`expect metric [by dim] [as of @date] == value`",
    )),
];

/// The field keys of a block, in the order the reference documents them.
pub fn keys(kind: BlockKind) -> &'static [FieldKey] {
    match kind {
        BlockKind::Metric => METRIC,
        BlockKind::Source => SOURCE,
        BlockKind::Owner => OWNER,
        BlockKind::Outcome => OUTCOME,
        BlockKind::Sla => SLA,
        BlockKind::Test => TEST,
        BlockKind::Changelog | BlockKind::Columns => &[],
    }
}

/// The words a field's value is one of, where it is a fixed choice.
pub fn choices(kind: BlockKind, key: &str) -> &'static [&'static str] {
    match (kind, key) {
        (BlockKind::Metric, "tier") => &["leading", "lagging"],
        (BlockKind::Metric, "deprecated") => &["true", "false"],
        (BlockKind::Metric, "fill") => &["0"],
        (BlockKind::Metric, "snapshot") => &["last", "first"],
        (BlockKind::Metric, "lookback") => &["mtd", "qtd", "ytd"],
        (BlockKind::Metric, "unit") => &[
            "ratio", "score", "count", "percent", "usd", "eur", "s", "min", "h", "d",
        ],
        (BlockKind::Source, "format") => &["parquet", "csv", "json", "arrow"],
        (BlockKind::Outcome, "direction") => &["higher", "lower"],
        (BlockKind::Sla, "review") => &["weekly", "monthly", "quarterly"],
        _ => &[],
    }
}

/// The column types a `columns` block may declare.
pub const COLUMN_TYPES: &[&str] = crate::types::Type::DECLARABLE;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::SourceFile;

    /// The resolver's own list of the fields a block has: the help of an
    /// unknown field (`the fields here are: ...`).
    fn resolver_keys(text: &str) -> Vec<String> {
        let compiled = crate::compile(vec![SourceFile {
            path: "t.yard".to_owned(),
            text: text.to_owned(),
        }]);
        let help = compiled
            .diagnostics
            .iter()
            .find(|d| d.code == crate::diagnostics::Code::UnknownField)
            .and_then(|d| d.help.clone())
            .unwrap_or_default();
        let list = help.strip_prefix("the fields here are: ").unwrap_or("");
        let mut keys: Vec<String> = list.split(", ").map(str::to_owned).collect();
        keys.sort();
        keys
    }

    fn table_keys(kind: BlockKind) -> Vec<String> {
        let mut keys: Vec<String> = keys(kind)
            .iter()
            .filter(|k| !k.block)
            .map(|k| k.key.to_owned())
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn the_table_is_what_the_resolver_reads() {
        let cases = [
            (BlockKind::Metric, "metric m {\n  zzzzzz: 1\n}\n"),
            (BlockKind::Source, "source s {\n  zzzzzz: 1\n}\n"),
            (BlockKind::Owner, "owner o {\n  zzzzzz: 1\n}\n"),
            (BlockKind::Outcome, "outcome o {\n  zzzzzz: 1\n}\n"),
            (
                BlockKind::Sla,
                "metric m {\n  sla {\n    zzzzzz: 1\n  }\n}\n",
            ),
        ];
        for (kind, text) in cases {
            assert_eq!(resolver_keys(text), table_keys(kind), "{kind:?}");
        }
    }

    #[test]
    fn the_column_types_are_the_types_a_column_may_have() {
        for name in COLUMN_TYPES {
            assert!(crate::types::Type::parse(name).is_some(), "{name}");
        }
    }
}
