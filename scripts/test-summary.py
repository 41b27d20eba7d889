#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Adds up the results scripts/test collected (meson testlog.json files, pytest JUnit XML, the
fuzz run, shellcheck, the sanitizer report check) and prints one closing line: "N passed,
N failed[, N skipped]". Exit 1 if any failed."""
import json
import pathlib
import sys
import xml.etree.ElementTree as ET


def meson_counts(path):
    passed = failed = skipped = 0
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
    return passed, failed, skipped


def junit_counts(path):
    passed = failed = skipped = 0
    for case in ET.parse(path).getroot().iter("testcase"):
        kinds = {child.tag for child in case}
        if kinds & {"failure", "error"}:
            failed += 1
        elif "skipped" in kinds:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main():
    results = pathlib.Path(sys.argv[1])
    totals = [0, 0, 0]
    for path in sorted(results.iterdir()):
        if path.suffix == ".json":
            counts = meson_counts(path)
        elif path.suffix == ".xml":
            counts = junit_counts(path)
        elif path.suffix == ".ok":  # one pass/fail check: formatting, shellcheck, the fuzz run, sanitizer reports
            counts = (1, 0, 0)
        elif path.suffix == ".failed":
            counts = (0, 1, 0)
        else:
            continue
        print(f"{path.name}: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped")
        totals = [a + b for a, b in zip(totals, counts)]
    line = f"{totals[0]} passed, {totals[1]} failed"
    if totals[2]:
        line += f", {totals[2]} skipped"
    print(line)
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main())
