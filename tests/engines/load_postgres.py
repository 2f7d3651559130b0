"""Loads a library's sample data into PostgreSQL: one table per source, in
the schema given, with the source's declared columns as PostgreSQL types
(int bigint, float double precision, decimal numeric, string text, bool
boolean, date date, timestamp timestamptz), the rows read from the source's
files by DuckDB (pyarrow for Arrow files) and written with psql's \\copy.

Usage: python3 tests/engines/load_postgres.py YARDSTICK SPEC_DIR SCHEMA
(psql's connection from the PG* environment variables).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

BINARY, SPEC, SCHEMA = sys.argv[1], Path(sys.argv[2]), sys.argv[3]

PG_TYPES = {
    "int": "bigint",
    "float": "double precision",
    "decimal": "numeric(38, 10)",
    "string": "text",
    "bool": "boolean",
    "date": "date",
    "timestamp": "timestamptz",
}
DUCK_TYPES = {
    "int": "BIGINT",
    "float": "DOUBLE",
    "decimal": "DECIMAL(38, 10)",
    "string": "VARCHAR",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
}


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def psql(sql):
    env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, env=env)


def reader(db, file, fmt):
    path = str(file).replace("'", "''")
    if fmt == "parquet":
        return f"read_parquet('{path}')"
    if fmt == "csv":
        return f"read_csv('{path}', header = true, all_varchar = true)"
    if fmt == "json":
        return f"read_json('{path}', format = 'newline_delimited')"
    import pyarrow.ipc

    db.register("arrow_file", pyarrow.ipc.open_file(str(file)).read_all())
    return "arrow_file"


def main():
    compiled = subprocess.run(
        [BINARY, "compile", "--spec", str(SPEC)], check=True, capture_output=True, text=True
    )
    library = json.loads(compiled.stdout)
    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")
    psql(f"DROP SCHEMA IF EXISTS {quote(SCHEMA)} CASCADE; CREATE SCHEMA {quote(SCHEMA)}")
    with tempfile.TemporaryDirectory() as out:
        for name, source in library["sources"].items():
            file = SPEC / Path(source["file"]).parent / source["path"]
            fmt = source.get("format") or {
                ".parquet": "parquet",
                ".csv": "csv",
                ".json": "json",
                ".arrow": "arrow",
            }[file.suffix]
            columns = source["columns"]
            table = f"{quote(SCHEMA)}.{quote(name)}"
            psql(
                f"CREATE TABLE {table} ("
                + ", ".join(f"{quote(c['name'])} {PG_TYPES[c['type']]}" for c in columns)
                + ")"
            )
            select = ", ".join(
                f"CAST({quote(c['name'])} AS {DUCK_TYPES[c['type']]}) AS {quote(c['name'])}"
                for c in columns
            )
            csv = Path(out) / f"{name}.csv"
            rows = reader(db, file, fmt)
            db.execute(f"COPY (SELECT {select} FROM {rows}) TO '{csv}' (HEADER, FORMAT csv)").fetchall()
            psql(f"\\copy {table} FROM '{csv}' WITH (FORMAT csv, HEADER true)")
            count = db.execute(f"SELECT count(*) FROM read_csv('{csv}', header = true)").fetchall()[0][0]
            print(f"loaded {SCHEMA}.{name}: {count} rows")


main()
