"""SARIF output checked against the SARIF 2.1.0 JSON schema.

The schema is the official one shipped in the npm package
@microsoft/jest-sarif (lib/schemas/sarif-2.1.0-rtm.5.json); .ci/run fetches
it with `npm pack` and installs `jsonschema` from PyPI. `cargo test` does
not need any of this.

Usage: python3 tests/oracle/sarif_schema.py SCHEMA.json [path/to/yardstick]
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
schema = json.loads(Path(sys.argv[1]).read_text())
binary = sys.argv[2] if len(sys.argv) > 2 else str(ROOT / "target" / "debug" / "yardstick")

cases = []
# check on a clean library, on a broken one, and diff with every kind.
cases.append(("check, clean", [binary, "check", "--spec", str(ROOT / "specs" / "cx"), "--format", "sarif"]))
cases.append(("check, problems", [binary, "check", "--spec", str(ROOT / "tests" / "check" / "err" / "drift"), "--format", "sarif"]))
with tempfile.TemporaryDirectory() as tmp:
    head = Path(tmp) / "head"
    shutil.copytree(ROOT / "specs" / "cx", head, ignore=shutil.ignore_patterns("data"))
    support = head / "support.yard"
    support.write_text(support.read_text().replace("lookback: 90d", "lookback: 60d", 1))
    cases.append(("diff", [binary, "diff", "--spec", str(head), "--base", str(ROOT / "specs" / "cx"), "--format", "sarif"]))
    failures = 0
    for title, command in cases:
        out = subprocess.run(command, capture_output=True, text=True, check=False)
        try:
            log = json.loads(out.stdout)
            jsonschema.validate(log, schema)
            print(f"ok   {title}: {len(log['runs'][0]['results'])} results")
        except Exception as error:  # noqa: BLE001 - report any failure
            failures += 1
            print(f"FAIL {title}: {error}\n{out.stderr}")
print(f"sarif: {len(cases) - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
