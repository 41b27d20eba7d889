#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check.py BALLOON_SIM TRACE_DIR: the checked-in traces are exactly what `balloon-sim generate`
makes from the seeds named in their first line, and on them vmsilo's policy beats the plain
ChromeOS-style one on host-under-critical time and worst reaction time without more
guest-under-critical time (summed over the traces)."""
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path


def main():
    sim, trace_dir = sys.argv[1], Path(sys.argv[2])
    traces = sorted(trace_dir.glob("*.trace"))
    if not traces:
        print("no traces", file=sys.stderr)
        return 1
    for t in traces:
        first = t.read_text().splitlines()[0]
        m = re.search(r"`balloon-sim (generate [^`]*)`", first)
        if not m:
            print(f"{t}: no generator line", file=sys.stderr)
            return 1
        fresh = subprocess.run([sim] + m.group(1).split(), check=True, capture_output=True,
                               text=True).stdout
        if fresh != t.read_text():
            print(f"{t} differs from `balloon-sim {m.group(1)}`: regenerate it", file=sys.stderr)
            return 1
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        table = subprocess.run([sim, "--json", out.name] + [str(t) for t in traces], check=True,
                               capture_output=True, text=True).stdout
        report = json.load(open(out.name))
    print(table)
    total = {p: {"host": 0.0, "guest": 0.0, "reaction": 0} for p in ("chromeos", "vmsilo")}
    for t in report["traces"]:
        for p in total:
            r = t["policies"][p]
            total[p]["host"] += r["host_under_critical_s"]
            total[p]["guest"] += r["guest_under_critical_s"]
            total[p]["reaction"] = max(total[p]["reaction"], r["worst_reaction_ms"])
        if t["policies"]["static"]["worst_reaction_ms"] is not None:
            print("static allocation cannot react", file=sys.stderr)
            return 1
    ours, plain = total["vmsilo"], total["chromeos"]
    ok = (ours["host"] < plain["host"] and ours["reaction"] < plain["reaction"]
          and ours["guest"] <= plain["guest"])
    print(f"vmsilo {ours} vs chromeos {plain}: {'ok' if ok else 'REGRESSION'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
