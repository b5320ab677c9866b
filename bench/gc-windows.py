#!/usr/bin/env python3
"""Which JVM pauses fell inside the IMAP phases' windows.

    bench/gc-windows.py PHASES_OUTPUT GC_LOG [--all-safepoints]

PHASES_OUTPUT: the key=value lines of imap_phases.py (through run-imap.sh, run-imap-cpu.sh --phases; any prefix such
as mailroom_, cold_, warm_ is kept): <phase>_epoch_s=START-END for append, select, fetch_all, uid_search and
fetch_bodies, and with --gc every body FETCH's body<N>_epoch_s=START-END. GC_LOG: the server's
-Xlog:gc*,safepoint:file=LOG:uptime,time[,tid] (the `time` decoration, wall-clock, is what is matched; uptime is
printed). Prints, per round (prefix): every collection pause from 3 s before the APPENDs' end to 1 s after the bodies'
(when, in which windows, eden/survivor/old/humongous regions before->after), the heap's shape at the last pause before
the SELECT, then each read window with the pauses and safepoints overlapping it (safepoints of 0.2 ms and more;
--all-safepoints: every one) and each body FETCH that one overlapped. A pause ends when its log line is written;
it started its length before.
Written for bench/README.md's IMAP chapter, h-gc (twenty-first session).
"""
import datetime
import re
import sys

READ_PHASES = ("select", "fetch_all", "uid_search", "fetch_bodies")


def wall(stamp):
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def pauses(path):
    """(start, end, kind, text, regions) of every GC pause and safepoint in the log."""
    found, regions = [], {}
    for line in open(path, errors="replace"):
        m = re.match(r"\[([^\]]+)\]\[([\d.]+)s\](?:\[\d+\])? (.*)", line)
        if not m:
            continue
        end, uptime, text = wall(m.group(1)), float(m.group(2)), m.group(3).strip()
        g = re.match(r"GC\((\d+)\) (.*)", text)
        if g:
            n, rest = int(g.group(1)), g.group(2)
            for key in ("Eden", "Survivor", "Old", "Humongous"):
                if rest.startswith(key + " regions:"):
                    regions.setdefault(n, {})[key.lower()] = rest.split(":", 1)[1].strip()
            p = re.match(r"(Pause .*?) (\d+M->\d+M\(\d+M\)) ([\d.]+)ms$", rest)
            if p:
                ms = float(p.group(3))
                found.append((end - ms / 1000, end, "gc", "GC(%d) %s %s %.2f ms at %.3fs" % (
                    n, p.group(1), p.group(2), ms, uptime), n))
        s = re.match(r'Safepoint "([^"]+)".*Reaching safepoint: (\d+) ns.*Total: (\d+) ns', text)
        if s:
            ms = int(s.group(3)) / 1e6
            found.append((end - ms / 1000, end, "safepoint", "safepoint %s %.3f ms (reaching it %.3f) at %.3fs" % (
                s.group(1), ms, int(s.group(2)) / 1e6, uptime), None))
    return sorted(found), regions


def windows(path):
    """{prefix: [(name, start, end)]} from the phases' output."""
    rounds = {}
    for line in open(path, errors="replace"):
        m = re.match(r"(\w*?)((?:append|select|fetch_all|uid_search|fetch_bodies)|body\d+)_epoch_s=([\d.]+)-([\d.]+)",
                     line.strip())
        if m:
            rounds.setdefault(m.group(1), []).append((m.group(2), float(m.group(3)), float(m.group(4))))
    return rounds


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    every_safepoint = "--all-safepoints" in sys.argv
    events, regions = pauses(sys.argv[2])
    for prefix, wins in windows(sys.argv[1]).items():
        named = {name: (a, b) for name, a, b in wins}
        print("== round %s" % (prefix or "(no prefix)"))
        if "append" in named and "fetch_bodies" in named:
            appended, done = named["append"][1], named["fetch_bodies"][1]
            print("pauses from 3 s before the APPENDs' end to 1 s after the bodies' (seconds from the APPENDs' end):")
            for start, end, kind, text, n in events:
                if kind == "gc" and appended - 3 <= end <= done + 1:
                    inside = [name for name, a, b in wins if start < b and end > a and name != "append"]
                    print("  %+7.3f  %s  in %s  %s" % (end - appended, text, ",".join(inside) or "no read window",
                                                       regions.get(n, {})))
            before = [e for e in events if e[2] == "gc" and e[1] <= named.get("select", (done,))[0]]
            if before:
                start, end, kind, text, n = before[-1]
                print("last pause before the SELECT, %.3f s before it: %s %s" % (
                    named["select"][0] - end, text, regions.get(n, {})))
        for name, a, b in wins:
            if name == "append":
                continue
            hits = [(s, e, text) for s, e, kind, text, n in events if s < b and e > a
                    and (kind == "gc" or every_safepoint or e - s >= 0.0002)]
            if hits or name in READ_PHASES:
                print("%-13s %8.2f ms: %s" % (name, (b - a) * 1000, "; ".join(
                    "%s (%.2f ms of it inside)" % (text, (min(b, e) - max(a, s)) * 1000) for s, e, text in hits) or "-"))


if __name__ == "__main__":
    main()
