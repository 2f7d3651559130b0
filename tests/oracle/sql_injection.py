"""A spec's string literals cannot break out of the SQL `explain --sql`
prints: a value ending in a backslash followed by a quote, which closed the
literal and ran `DROP TABLE` before, runs in DuckDB as the value it is, and
the table is still there. Run by .ci/run: python3 sql_injection.py YARDSTICK
"""

import csv
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

HOSTILE = "n/a\\' END) AS x FROM tickets; DROP TABLE tickets; --"
# In a .yard string a backslash is written twice.
IN_YARD = HOSTILE.replace("\\", "\\\\")

LIBRARY = f"""
source tickets {{
  path: "tickets.csv"
  time: at
  columns {{ at: timestamp  channel: string? }}
}}
metric distinct_channels {{ from: tickets formula: count_distinct(coalesce(channel, "{IN_YARD}")) }}
metric hostile_rows {{ from: tickets where: channel == "{IN_YARD}" formula: count() }}
"""

# By hand: channels a, (null -> the hostile text), the hostile text:
# two distinct values; one row whose channel is the hostile text.
EXPECTED = {"distinct_channels": 2, "hostile_rows": 1}


def main() -> int:
    yardstick = sys.argv[1]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp)
        (spec / "lib.yard").write_text(LIBRARY)
        with open(spec / "tickets.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["at", "channel"])
            w.writerow(["2026-01-01T00:00:00Z", "a"])
            w.writerow(["2026-01-01T01:00:00Z", ""])
            w.writerow(["2026-01-01T02:00:00Z", HOSTILE])
        for metric, expected in EXPECTED.items():
            out = subprocess.run(
                [yardstick, "explain", metric, "--spec", str(spec), "--as-of", "2026-01-01",
                 "--sql-only", "--dialect", "duckdb"],
                capture_output=True, text=True, check=True,
            ).stdout
            sql = out.strip()
            con = duckdb.connect()
            con.execute(
                "CREATE TABLE tickets AS SELECT CAST(\"at\" AS TIMESTAMP) AS \"at\", channel "
                f"FROM read_csv('{spec / 'tickets.csv'}', header = true, all_varchar = true)"
            )
            got = con.execute(sql).fetchall()
            intact = con.execute("SELECT count(*) FROM tickets").fetchone()[0]
            ok = got == [(expected,)] and intact == 3
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {metric}: {got} (expected {expected}), tickets has {intact} rows")
    print(f"sql injection: {len(EXPECTED) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
