"""What a person sees when the PostgreSQL engine cannot run, against a real
server: a wrong password, a database or table that is not there, and a
column whose type does not fit its declaration all end with exit 2, a
message naming what is wrong (the table, the column and both types), and
never the password. Needs the server postgres.sh started, with specs/cx
loaded into the schema `cx`.

Usage: python3 tests/engines/postgres_errors.py YARDSTICK ENGINE_URL
"""

import subprocess
import sys
import tempfile
from pathlib import Path

BINARY, URL = sys.argv[1], sys.argv[2]
user_password, location = URL[len("postgres://"):].rsplit("@", 1)
USER, PASSWORD = user_password.split(":", 1)
HOST_PORT, DATABASE = location.split("/", 1)

LIBRARY = """
source tickets {
  table: "%s"
  time: opened_at
  columns { ticket_id: string  opened_at: timestamp  %s }
}
metric tickets_opened { from: tickets formula: count() lookback: 90d }
"""

failures = []


def expect_exit_2(what, url, table, column, says):
    with tempfile.TemporaryDirectory() as lib:
        Path(lib, "lib.yard").write_text(LIBRARY % (table, column))
        out = subprocess.run(
            [BINARY, "query", "tickets_opened", "--spec", lib, "--engine", url, "--color", "never"],
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin"},
        )
    shown = out.stdout + out.stderr
    ok = out.returncode == 2 and PASSWORD not in shown and all(s in shown for s in says)
    print(("ok    " if ok else "FAILED ") + what + ": " + shown.strip().replace("\n", " | ")[:300])
    if not ok:
        failures.append(what)


wrong = f"postgres://{USER}:not-{PASSWORD}@{HOST_PORT}/{DATABASE}"
expect_exit_2(
    "a wrong password",
    wrong,
    "cx.tickets",
    "",
    ["cannot connect to", f"{USER}:***@", "password authentication failed", "check the user"],
)
expect_exit_2(
    "a database that is not there",
    f"postgres://{USER}:{PASSWORD}@{HOST_PORT}/no_such_db",
    "cx.tickets",
    "",
    ["cannot connect to", "no_such_db"],
)
expect_exit_2(
    "a table that is not there",
    URL,
    "cx.no_such_table",
    "",
    ["there is no table `cx.no_such_table`", "source `tickets`"],
)
expect_exit_2(
    "a column that is not there",
    URL,
    "cx.tickets",
    "missing_column: int",
    ["table `cx.tickets`", "has no column `missing_column`", "declared int"],
)
expect_exit_2(
    "a column whose type does not fit",
    URL,
    "cx.tickets",
    "channel: int",
    ["column `channel` is declared int", "table `cx.tickets`", "holds text"],
)
expect_exit_2(
    "a timestamp declared as a date",
    URL,
    "cx.tickets",
    "resolved_at: date",
    ["column `resolved_at` is declared date", "holds timestamp with time zone"],
)
sys.exit(1 if failures else 0)
