"""One oracle question: `yardstick query ARGS --format json` beside
DuckDB running SQL written by hand, row for row, each value within 1e-9.
Shared by the oracle scripts in this folder."""

import json
import math
import subprocess


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return str(a) == str(b)


def ask(binary, spec, db, title, args, sql):
    """Runs one question on both sides and prints `ok` or `FAIL` with the
    differences; True when they agree."""
    out = subprocess.run(
        [binary, "query", *args, "--spec", str(spec), "--format", "json"],
        capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        print(f"FAIL {title}: yardstick exited {out.returncode}: {out.stderr}")
        return False
    ours = json.loads(out.stdout)
    cursor = db.execute(sql)
    names = [d[0] for d in cursor.description]
    theirs = [dict(zip(names, row)) for row in cursor.fetchall()]
    problems = []
    if len(ours) != len(theirs):
        problems.append(f"{len(ours)} rows, DuckDB {len(theirs)}")
    for i, (a, b) in enumerate(zip(ours, theirs)):
        for key in names:
            if not same(a.get(key), b[key]):
                problems.append(f"row {i} `{key}`: yardstick {a.get(key)!r}, DuckDB {b[key]!r}")
    if problems:
        print(f"FAIL {title}")
        for p in problems[:10]:
            print(f"     {p}")
        return False
    print(f"ok   {title} ({len(ours)} rows)")
    return True
