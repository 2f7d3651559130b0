"""The same questions on two engines: the embedded one and ENGINE_URL.

1. Every `test` block of the hand-worked semantics suite (tests/semantics/)
   and of specs/cx runs through `yardstick test --engine ENGINE_URL`, where
   each block's rows are loaded into the engine; every block must pass, as
   it does in memory.
2. For every metric of specs/cx and every query shape of LANGUAGE.md §6 (a
   value as of a date, grouped by each dimension, a series by month and by
   quarter, a grouped series, a `--where`, the newest data), `yardstick
   query` gives the same rows on both engines, each number within 1e-9
   (relative above 1).

The specs/cx library is copied with `table: "SCHEMA.NAME"` on each source
(SCHEMA from --schema, default `cx`): a warehouse reads those tables
(loaded by load_postgres.py), a file engine ignores them and reads `path`.

Usage: python3 tests/engines/conformance.py ENGINE_URL [--binary PATH] [--schema NAME]
Exits 1 if any answer differs or fails on the engine, listing each.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEMANTICS = ROOT / "tests" / "semantics"
CX = ROOT / "specs" / "cx"

parser = argparse.ArgumentParser()
parser.add_argument("engine")
parser.add_argument("--binary", default=str(ROOT / "target" / "debug" / "yardstick"))
parser.add_argument("--schema", default="cx")
parser.add_argument(
    "--timeout",
    type=float,
    default=300,
    help="seconds one command may take on the engine before it counts as stuck (a failure)",
)
args = parser.parse_args()


def run(*argv, engine=None):
    command = [args.binary, *argv, "--color", "never"]
    if engine:
        command += ["--engine", engine]
    try:
        return subprocess.run(
            command, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, timeout=args.timeout
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 124, "", f"error: stuck: no answer in {args.timeout:g} s")


def first_error(out):
    lines = [l for l in (out.stderr + out.stdout).splitlines() if l.strip()]
    errors = [l for l in lines if l.startswith("error")]
    return (errors or lines or ["(no output)"])[0][:400]


problems = []

# 1. Test blocks.
test_libraries = [SEMANTICS / f.name for f in sorted(SEMANTICS.glob("*.yard")) if f.name != "library.yard"]
with tempfile.TemporaryDirectory() as scratch:
    cases = []
    for case in test_libraries:
        # Each case file with the shared library beside it, as semantics.rs runs them.
        lib = Path(scratch) / case.stem
        lib.mkdir()
        shutil.copy(SEMANTICS / "library.yard", lib / "library.yard")
        shutil.copy(case, lib / case.name)
        cases.append(lib)
    cases.append(CX)
    blocks = 0
    for lib in cases:
        embedded = run("test", "--spec", str(lib))
        remote = run("test", "--spec", str(lib), engine=args.engine)
        if embedded.returncode != 0:
            problems.append(f"test {lib.name}: fails on the embedded engine: {first_error(embedded)}")
            continue
        if remote.returncode != 0:
            failed = [l for l in remote.stdout.splitlines() if l.endswith("FAILED")]
            detail = "; ".join(failed) if failed else first_error(remote)
            problems.append(f"test {lib.name}: {detail}")
            for line in remote.stdout.splitlines():
                if line.startswith("    ") or line.startswith("  expect"):
                    problems.append(f"    {line.strip()}")
        blocks += sum(1 for l in embedded.stdout.splitlines() if l.endswith(" ... ok"))
    print(f"test blocks: {blocks} run on both engines")

# 2. Queries on specs/cx.
with tempfile.TemporaryDirectory() as scratch:
    lib = Path(scratch) / "cx"
    shutil.copytree(CX, lib)
    for yard in lib.glob("*.yard"):
        text = yard.read_text()
        text = re.sub(
            r"^(source (\w+) \{\n)",
            lambda m: f'{m.group(1)}  table: "{args.schema}.{m.group(2)}"\n',
            text,
            flags=re.M,
        )
        yard.write_text(text)
    ir = json.loads(run("compile", "--spec", str(lib)).stdout)
    questions = []
    for name, metric in sorted(ir["metrics"].items()):
        dims = metric.get("dimensions") or []
        shapes = [[], ["--as-of", "2026-06-30"], ["--grain", "month"], ["--grain", "quarter", "--from", "2026-01-01", "--to", "2026-06-30"]]
        for d in dims:
            shapes.append(["--by", d, "--as-of", "2026-06-30"])
        if dims:
            shapes.append(["--by", dims[0], "--grain", "month", "--last", "6mo"])
        if "region" in dims:
            shapes.append(["--where", 'region == "EMEA"', "--as-of", "2026-06-30"])
        for shape in shapes:
            questions.append([name, *shape])

    def rows(out):
        return json.loads(out.stdout)

    def same_value(a, b):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
            return abs(a - b) <= 1e-9 * max(1.0, abs(b))
        return a == b

    def same(a, b):
        if len(a) != len(b):
            return False
        # Rows sorted by their keys (every non-number), then compared whole.
        def keys(r):
            return json.dumps({k: v for k, v in r.items() if not isinstance(v, float)}, sort_keys=True)
        for x, y in zip(sorted(a, key=keys), sorted(b, key=keys)):
            if x.keys() != y.keys() or not all(same_value(x[k], y[k]) for k in x):
                return False
        return True

    agreed = 0
    for q in questions:
        argv = ["query", *q, "--spec", str(lib), "--format", "json"]
        embedded = run(*argv)
        if embedded.returncode != 0:
            continue  # a question the library refuses (exit 2 on every engine)
        remote = run(*argv, engine=args.engine)
        shown = "yardstick query " + " ".join(q)
        if remote.returncode != 0:
            problems.append(f"{shown}: fails on the engine: {first_error(remote)}")
        elif not same(rows(embedded), rows(remote)):
            problems.append(
                f"{shown}: differs\n    embedded: {embedded.stdout.strip()[:600]}\n    engine:   {remote.stdout.strip()[:600]}"
            )
        else:
            agreed += 1
    print(f"queries: {agreed} of {len(questions)} agree")

for p in problems:
    print(p if len(p) <= 600 else p[:600] + " ...")
print(f"{len(problems)} problems" if problems else "every answer agrees")
sys.exit(1 if problems else 0)
