"""The exported SQL runs: for every metric of specs/cx and every query shape
(as-of, a joined dimension, --where, series with and without lookback,
hourly grain, fill, offset, per, to-date, snapshot), the SQL printed by
`yardstick explain --sql-only --dialect duckdb` is run inside DuckDB over the
same data files, and its rows must equal `yardstick query --format json`'s:
the same groups, every value within 1e-9.

The views are named as the sources and read the files as they are, with
the columns' declared types; the SQL does its own joins, windows and
periods. Run by .ci/run (which installs duckdb); `cargo test` does not
need it.

With `--postgres DSN` (psycopg installed), the same questions run the
`--dialect postgres` SQL inside that PostgreSQL database instead: the
tables are created there (replacing any of the sources' names) from the
same views, in a session whose time zone is UTC.
Usage: python3 tests/oracle/sql_export.py [path/to/yardstick] [--postgres DSN]
"""

import datetime
import json
import math
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.ipc

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "specs" / "cx"
DATA = SPEC / "data"
ARGS = [a for a in sys.argv[1:]]
POSTGRES = None
if "--postgres" in ARGS:
    POSTGRES = ARGS[ARGS.index("--postgres") + 1]
    del ARGS[ARGS.index("--postgres") : ARGS.index("--postgres") + 2]
BINARY = ARGS[0] if ARGS else str(ROOT / "target" / "debug" / "yardstick")
DIALECT = "postgres" if POSTGRES else "duckdb"


def views():
    """A DuckDB connection with one view per source of specs/cx."""
    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")
    csv = {
        "accounts": "account_id VARCHAR, segment VARCHAR, plan VARCHAR, region VARCHAR, "
        "arr_usd DOUBLE, signed_on DATE",
        "surveys": "response_id VARCHAR, account_id VARCHAR, survey_type VARCHAR, channel VARCHAR, "
        "region VARCHAR, score BIGINT, answered_at TIMESTAMPTZ",
        "renewals": "renewal_id VARCHAR, account_id VARCHAR, due_on DATE, renewed BOOLEAN, "
        "arr_before_usd DOUBLE, arr_after_usd DOUBLE",
        "arr_snapshots": "account_id VARCHAR, segment VARCHAR, as_of_date DATE, arr_usd DOUBLE",
        "ledger": "posted_on DATE, account VARCHAR, amount_usd DOUBLE",
    }
    for name, columns in csv.items():
        types = ", ".join(
            f"'{c.split()[0]}': '{c.split(maxsplit=1)[1]}'" for c in columns.split(", ")
        )
        db.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_csv('{DATA}/{name}.csv', header = true, "
            f"columns = {{{types}}})"
        )
    db.execute(f"CREATE VIEW tickets AS SELECT * FROM read_parquet('{DATA}/tickets.parquet')")
    db.execute(
        f"""CREATE VIEW defects AS SELECT defect_id, stage, severity, journey,
            CAST(found_at AS TIMESTAMPTZ) AS found_at, CAST(fixed_at AS TIMESTAMPTZ) AS fixed_at
            FROM read_json('{DATA}/defects.json', format = 'newline_delimited')"""
    )
    with pyarrow.ipc.open_file(DATA / "journeys.arrow") as reader:
        journeys_table = reader.read_all()
    db.register("journeys_arrow", journeys_table)
    db.execute("CREATE VIEW journeys AS SELECT * FROM journeys_arrow")
    return db


def metrics():
    out = subprocess.run(
        [BINARY, "list", "metrics", "--spec", str(SPEC)], capture_output=True, text=True, check=True
    ).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def dimensions_of(metric):
    """The dimensions `describe` lists for the metric."""
    out = subprocess.run(
        [BINARY, "describe", metric, "--spec", str(SPEC)], capture_output=True, text=True, check=True
    ).stdout
    for line in out.splitlines():
        if line.startswith("dimensions "):
            return [d.strip() for d in line.split(maxsplit=1)[1].split(",") if d.strip()]
    return []


def questions():
    """Every metric under the plain shapes, then the shapes of LANGUAGE.md §6/§11."""
    qs = []
    for metric in metrics():
        qs.append([metric])
        qs.append([metric, "--as-of", "2026-03-31"])
        qs.append([metric, "--grain", "month"])
        qs.append([metric, "--grain", "quarter", "--from", "2025-07-01", "--to", "2026-06-30"])
        dims = dimensions_of(metric)
        joined = [d for d in dims if "." in d]
        plain = [d for d in dims if "." not in d]
        if plain:
            qs.append([metric, "--by", plain[0]])
        if joined:
            qs.append([metric, "--by", joined[0], "--grain", "month"])
            qs.append([metric, "--where", f'{joined[0]} == "enterprise"'])
    qs += [
        ["fcr", "--by", "channel", "--as-of", "2026-06-30"],
        ["fcr", "--where", 'channel == "email"', "--by", "accounts.segment"],
        ["nps", "--by", "region", "--grain", "quarter"],
        ["nps", "--by", "accounts.segment", "--grain", "week", "--last", "8w"],
        ["tickets_opened", "--grain", "hour", "--from", "2026-03-01", "--to", "2026-03-02"],
        ["tickets_opened", "--by", "channel", "--grain", "hour", "--from", "2026-03-01", "--to", "2026-03-01"],
        ["tickets_opened_filled", "--grain", "day", "--from", "2026-03-01", "--to", "2026-03-31"],
        ["tickets_opened_filled", "--by", "priority", "--grain", "day", "--last", "14d"],
        ["csat_yoy_change", "--grain", "quarter"],
        ["csat_qoq_change", "--by", "channel", "--grain", "month"],
        ["repeat_contact_accounts", "--by", "channel", "--grain", "month"],
        ["tickets_per_account", "--by", "accounts.segment"],
        ["nrr_qtd", "--grain", "month"],
        ["nrr_qtd", "--by", "accounts.segment", "--as-of", "2026-05-15"],
        ["arr", "--by", "segment", "--grain", "month"],
        ["time_to_resolve", "--by", "priority", "--grain", "month"],
        ["experience_health", "csat_rate", "nps", "--by", "accounts.segment"],
        ["fcr", "cost_per_ticket", "tickets_opened", "--by", "channel", "--grain", "month"],
    ]
    return qs


def run(args):
    return subprocess.run([BINARY, *args, "--spec", str(SPEC)], capture_output=True, text=True)


def key_text(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def number(value):
    if value is None:
        return None
    return float(value)


def compare(args, db):
    """None when the SQL's answer equals the query's, else what differs."""
    answered = run(["query", *args, "--format", "json"])
    if answered.returncode != 0:
        return f"query failed: {answered.stderr.strip()}"
    expected = json.loads(answered.stdout)
    explained = run(["explain", *args, "--sql-only", "--dialect", DIALECT])
    if explained.returncode != 0:
        return f"explain failed: {explained.stderr.strip()}"
    sql = explained.stdout
    try:
        cursor = db.execute(sql)
    except Exception as e:  # noqa: BLE001 - DuckDB's or PostgreSQL's refusal
        return f"{DIALECT} refused the SQL: {e}\n{sql}"
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    names = list(expected[0].keys()) if expected else columns
    if expected and sorted(columns) != sorted(names):
        return f"columns differ: query {names}, sql {columns}"
    metric_names = [n for n in names if n not in ("period",) and n not in dims_in(args, names)]
    keys = [n for n in names if n not in metric_names]

    def keyed(records):
        out = {}
        for record in records:
            key = tuple(key_text(record[k]) for k in keys)
            if key in out:
                return None, f"group {key} twice"
            out[key] = {m: number(record[m]) for m in metric_names}
        return out, None

    want, err = keyed(expected)
    if err:
        return "query: " + err
    got, err = keyed([dict(zip(columns, r)) for r in rows])
    if err:
        return "sql: " + err
    if set(want) != set(got):
        return (
            f"groups differ: only in query {sorted(set(want) - set(got), key=str)[:5]}, "
            f"only in sql {sorted(set(got) - set(want), key=str)[:5]}"
        )
    for key, values in want.items():
        for m, a in values.items():
            b = got[key][m]
            if (a is None) != (b is None) or (
                a is not None and not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
            ):
                return f"{m} at {key}: query {a}, sql {b}"
    return None


def dims_in(args, names):
    out = []
    for i, a in enumerate(args):
        if a == "--by" and i + 1 < len(args):
            out.append(args[i + 1])
    return [d for d in out if d in names]


def postgres(dsn, duck):
    """A connection to `dsn` holding the views' rows as tables of the same names."""
    import psycopg

    types = {
        "VARCHAR": "text",
        "DOUBLE": "double precision",
        "BIGINT": "bigint",
        "INTEGER": "integer",
        "BOOLEAN": "boolean",
        "DATE": "date",
        "TIMESTAMP": "timestamp",
        "TIMESTAMP WITH TIME ZONE": "timestamptz",
    }
    pg = psycopg.connect(dsn, autocommit=True)
    pg.execute("SET TimeZone = 'UTC'")
    for table in ["accounts", "tickets", "surveys", "renewals", "arr_snapshots", "ledger", "defects", "journeys"]:
        columns = duck.execute(f"DESCRIBE {table}").fetchall()
        pg.execute(f'DROP TABLE IF EXISTS "{table}"')
        pg.execute(f'CREATE TABLE "{table}" (' + ", ".join(f'"{c[0]}" {types[c[1]]}' for c in columns) + ")")
        with pg.cursor() as cursor, cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
            for row in duck.execute(f"SELECT * FROM {table}").fetchall():
                copy.write_row(row)

    class Runner:
        def execute(self, sql):
            cursor = pg.cursor()
            cursor.execute(sql)
            return cursor

    return Runner()


def main():
    db = views()
    if POSTGRES:
        db = postgres(POSTGRES, db)
    passed = 0
    failed = []
    for args in questions():
        problem = compare(args, db)
        if problem is None:
            passed += 1
        else:
            failed.append((args, problem))
            print(f"FAIL {' '.join(args)}: {problem}", file=sys.stderr)
    print(
        f"sql export: {passed} of {passed + len(failed)} questions give the query's answer in {DIALECT}"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
