//! The stable diagnostic codes. Each one is documented, with an example that
//! triggers it, in `docs/diagnostics.md`, and has at least one case under
//! `tests/check/err/` (a test keeps all three in step).

use serde::{Serialize, Serializer};

macro_rules! codes {
    ($($variant:ident => $id:literal, $summary:literal;)*) => {
        /// A stable diagnostic code such as `yardstick::type::mismatch`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as users see it: `yardstick::...`.
            pub fn id(self) -> &'static str {
                match self { $(Code::$variant => $id,)* }
            }

            /// One line on what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }
        }
    };
}

codes! {
    SyntaxError => "yardstick::syntax::error", "text that is not part of the language";
    SyntaxLiteral => "yardstick::syntax::literal", "a literal that cannot be read (bad date, escape or number)";
    SyntaxTooDeep => "yardstick::syntax::too_deep", "brackets or operators nested too deeply to check";
    UnknownField => "yardstick::field::unknown", "a field that this kind of declaration does not have";
    FieldValue => "yardstick::field::value", "a field whose value has the wrong form";
    DuplicateField => "yardstick::field::duplicate", "a single-valued field given twice";
    MissingField => "yardstick::field::missing", "a required field is absent";
    DuplicateName => "yardstick::name::duplicate", "a name declared twice in one library";
    Unresolved => "yardstick::name::unresolved", "a reference to a name that does not exist";
    WrongKind => "yardstick::name::wrong_kind", "a reference to a declaration of the wrong kind";
    Cycle => "yardstick::cycle", "metrics, variants or owners that depend on themselves";
    TypeMismatch => "yardstick::type::mismatch", "an operand or value of the wrong type";
    Arity => "yardstick::type::arity", "a function called with the wrong number of arguments";
    UnknownFunction => "yardstick::type::unknown_function", "a call to a function the language does not have";
    Argument => "yardstick::type::argument", "an argument outside what the function accepts";
    Unaggregated => "yardstick::level::unaggregated", "a column used outside an aggregate in a metric formula";
    AggregateInRow => "yardstick::level::aggregate_in_row", "an aggregate where only row-level expressions are allowed";
    NestedAggregate => "yardstick::level::nested_aggregate", "an aggregate inside another aggregate";
    DerivedFormula => "yardstick::level::derived", "a derived formula that uses columns, aggregates or row functions";
    UnitMismatch => "yardstick::unit::mismatch", "operands whose units cannot be combined";
    UnknownUnit => "yardstick::unit::unknown", "a unit name the language does not know";
    DeclaredUnit => "yardstick::unit::declared", "a declared unit that differs from the formula's";
    BoundUnit => "yardstick::unit::bound", "an SLA target, assert bound or freshness that does not fit what it constrains";
    Lagging => "yardstick::drives::lagging", "a lagging metric that declares `drives`";
    VariantWidens => "yardstick::variant::widens", "a variant that changes what it may only narrow";
    DimensionNotAllowed => "yardstick::dimension::not_allowed", "a dimension the source or base metric does not offer";
    JoinRoleClash => "yardstick::join::name_taken", "a join whose role (or source) name is a column of the source or another join's name";
    JoinNotKey => "yardstick::join::not_key", "a join into a source that declares no key, so it could fan out";
    JoinChainNotKey => "yardstick::join::chain_not_key", "a join path with a hop that does not land on a key: it walks a join backwards, from a key to many rows";
    JoinChainTooLong => "yardstick::join::chain_too_long", "a column path through more than 8 joins";
    DeprecatedUse => "yardstick::deprecated::used", "a deprecated metric used by another declaration";
    ChangelogMissing => "yardstick::changelog::missing", "a metric version above 1 with no changelog entry for it";
    TestShape => "yardstick::test::shape", "a test row or expectation that does not fit its source or metric";
    Drift => "yardstick::drift", "a metric whose meaning changed at the same version";
    DriftVersionDown => "yardstick::drift::version_down", "a metric version lower than the locked one";
    DriftRemoved => "yardstick::drift::removed", "a locked metric removed without being deprecated";
    LockSyntax => "yardstick::lock::syntax", "a line of yardstick.lock that cannot be read";
    QueryArguments => "yardstick::query::arguments", "query arguments that do not fit together: no metric, a repeat, --from/--to without --grain, --as-of with --grain";
    QueryGrain => "yardstick::query::grain", "a --grain that is not a period length";
    QueryDate => "yardstick::query::date", "a --from, --to or --as-of that is not a date";
    QueryWhere => "yardstick::query::where", "a --where that names something other than a dimension every metric allows";
    SourceOutsideRoots => "yardstick::source::outside_roots", "a source whose path resolves outside the library directory and its data roots";
    OffsetNotMetric => "yardstick::offset::not_a_metric", "`offset` of something other than a metric by name: a column, an expression, or `offset` outside a derived formula";
    OffsetNoTime => "yardstick::offset::no_time", "`offset` of a metric with no time column (itself or a base metric it reads), so there is nothing to move back";
    OffsetGrain => "yardstick::offset::grain", "an offset finer than what it moves: not whole hours, hours on a date-timed metric, or hours in a query not read by the hour";
    PerDerived => "yardstick::per::derived", "`per` on a derived metric, which has no rows to group";
    FillNotCount => "yardstick::fill::not_a_count", "`fill: 0` on a metric whose value is not a count or a sum, so 0 would not mean none counted";
    SnapshotDerived => "yardstick::snapshot::derived", "`snapshot:` on a derived metric, which has no rows of its own to pick from";
    SnapshotNoTime => "yardstick::snapshot::no_time", "`snapshot:` on a metric with no time column to find the newest rows by";
    ReconcileUnit => "yardstick::reconcile::unit", "a reconcile whose two metrics have different units";
    DataSource => "yardstick::data::source", "check --data: a source whose files cannot be read as declared (a column missing or of another type)";
    DataStale => "yardstick::data::stale", "check --data: a metric whose newest data is older than its sla.freshness";
    DataAssert => "yardstick::data::assert", "check --data: a metric's as-of value outside its assert";
    DataTarget => "yardstick::data::target", "check --data: a metric's as-of value that misses its sla.target";
}

impl Code {
    /// The codes the runtime raises, because finding them takes the file
    /// system (a source's path against the project's roots) or the data
    /// (`check --data`). Their err
    /// cases live in `tests/check/runtime/`, run by the runtime's suite.
    pub const RAISED_BY_RUNTIME: &'static [Code] = &[
        Code::SourceOutsideRoots,
        Code::DataSource,
        Code::DataStale,
        Code::DataAssert,
        Code::DataTarget,
    ];
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}
