#!/usr/bin/env python3
"""The same questions on the embedded engine and on another engine.

Usage: ballista_conformance.py YARDSTICK_BINARY ENGINE_URL

For every metric of specs/cx: the value as of the newest data, by each
dimension it allows, and as monthly and weekly series; then two metrics
together with --compare and --ci, `reconcile` and `check --data`. Each
question runs once in process and once with YARDSTICK_ENGINE=ENGINE_URL;
both must exit alike and give the same rows, numbers equal to 1e-9
(relative to the larger magnitude, or absolute below 1). The expected
values are the embedded engine's, whose semantics are tested by hand in
tests/semantics; this checks that the engine computes the same.
"""

import json
import math
import os
import subprocess
import sys

SPEC = "specs/cx"
TOLERANCE = 1e-9


def run(binary, args, engine):
    env = dict(os.environ)
    env.pop("YARDSTICK_ENGINE", None)
    if engine:
        env["YARDSTICK_ENGINE"] = engine
    try:
        done = subprocess.run(
            [binary, *args, "--spec", SPEC], env=env, capture_output=True, text=True, timeout=120
        )
    except subprocess.TimeoutExpired:
        return "timeout", "", "no answer in 120 seconds"
    return done.returncode, done.stdout, done.stderr


def same_value(a, b):
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return a == b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def same_json(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return same_value(a, b)


def main():
    binary, engine = sys.argv[1], sys.argv[2]
    code, out, err = run(binary, ["compile", "--emit", "ir"], None)
    if code != 0:
        sys.exit(f"compile failed: {err}")
    metrics = json.loads(out)["metrics"]
    questions = []
    for name, metric in sorted(metrics.items()):
        questions.append(["query", name, "--format", "json"])
        for dimension in metric["dimensions"]:
            questions.append(["query", name, "--by", dimension, "--format", "json"])
        for grain in ["month", "week"]:
            questions.append(["query", name, "--grain", grain, "--format", "json"])
    questions += [
        ["query", "nps", "csat", "--by", "region", "--grain", "quarter", "--format", "json"],
        ["query", "nps", "--grain", "month", "--compare", "previous_period", "--format", "json"],
        ["query", "csat", "--by", "region", "--ci", "--format", "json"],
        ["reconcile", "--format", "json"],
        ["check", "--data", "--format", "json"],
    ]
    failures = 0
    answered = 0
    for question in questions:
        expected = run(binary, question, None)
        actual = run(binary, question, engine)
        problem = None
        if expected[0] != actual[0]:
            problem = f"exit {actual[0]}, embedded {expected[0]}: {actual[2].strip()[:400]}"
        elif expected[0] in (0, 1) and expected[1].strip():
            try:
                same = same_json(json.loads(expected[1]), json.loads(actual[1]))
            except json.JSONDecodeError:
                same = expected[1] == actual[1]
            if not same:
                problem = f"different output:\n  embedded: {expected[1][:400]}\n  engine:   {actual[1][:400]}"
        elif expected[0] == 2 and expected[2] != actual[2]:
            problem = f"different refusal:\n  embedded: {expected[2][:400]}\n  engine:   {actual[2][:400]}"
        if problem:
            failures += 1
            print(f"FAIL yardstick {' '.join(question)}: {problem}")
        elif expected[0] in (0, 1):
            answered += 1
    print(f"{len(questions)} questions, {answered} answered alike with numbers, "
          f"{len(questions) - answered - failures} refused alike, {failures} different")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
