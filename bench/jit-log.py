#!/usr/bin/env python3
"""Summarises what HotSpot's JIT compilers did, from a -XX:+LogCompilation file, optionally for a window of the JVM's
uptime (e.g. the load of bench/run-smtp.sh, which prints mailroom_load_jvm_uptime_s=START-END).

    MAILROOM_JAVA_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=/tmp/jit-%p.log" \\
        bench/run-smtp.sh --only mailroom 2000
    bench/jit-log.py /tmp/jit-PID.log [START END] [TOP]

START and END above 10^9 are wall-clock seconds since 1970 (bench/imap_phases.py's <phase>_epoch_s=START-END),
turned into JVM uptime with the log header's time_ms (the wall-clock time of uptime 0).

Prints: compile tasks per tier (1 = C1 plain, 2 = C1 with light profiling, used while C2's queue is long, 3 = C1 with
full profiling, 4 = C2) with their summed duration, the same per package, the longest compiles, the window's C2 tasks
queued before it (a backlog carried in) against those queued in it and first C2 compiles of a method against
recompiles, methods compiled at C2 more than once (recompilation after a deoptimisation), methods compiled at tier 2
and again at tier 3 (the C2 backlog's extra C1 work), uncommon traps (the reasons compiled code was left for the
interpreter) by reason and by method, compiled code made not entrant, failed compiles, and the compiles of generated
classes (lambdas, method handles, reflection accessors, Derby's statement classes). Durations are wall-clock time of
the compiler threads (on a loaded machine they include waiting for a CPU): compare them with each other, not across
runs.
"""
import collections
import re
import sys
from xml.sax.saxutils import unescape

ATTR = re.compile(r"(\w+)='([^']*)'")


def attrs(line):
    return {k: unescape(v, {'&apos;': "'", '&quot;': '"'}) for k, v in ATTR.findall(line)}


def generated_kind(method):
    cls = method.split(' ')[0]
    if '$$Lambda$' in cls:
        return 'lambda'
    if cls.startswith('org.apache.derby.exe.'):
        return 'derby statement class'
    if cls.startswith('jdk.internal.reflect.Generated'):
        return 'reflection accessor'
    if '$Proxy' in cls or cls.startswith('jdk.proxy'):
        return 'proxy'
    if cls.startswith('java.lang.invoke.'):
        return 'method handles (java.lang.invoke)'
    return None


def package(method):
    kind = generated_kind(method)
    return kind if kind and kind != 'method handles (java.lang.invoke)' else '.'.join(method.split(' ')[0].split('.')[:3])


def read(path):
    tasks, nmethods, traps, not_entrant, failures = [], {}, [], [], collections.Counter()
    queued = {}  # compile_id -> uptime at which the task was put on its compiler's queue
    task, trap = None, None
    with open(path, errors='replace') as log:
        for line in log:
            line = line.strip()
            if line.startswith('<task_queued '):
                a = attrs(line)
                queued[a.get('compile_id')] = float(a['stamp'])
            elif line.startswith('<task '):
                a = attrs(line)
                task = dict(method=a.get('method', '?'), level=a.get('level', '4'), osr=a.get('compile_kind') == 'osr',
                            bytes=int(a.get('bytes', 0)), start=float(a['stamp']), end=None, inlined=0, nmsize=0,
                            id=a.get('compile_id'))
                tasks.append(task)
            elif line.startswith('<task_done') and task is not None:
                a = attrs(line)
                task.update(end=float(a['stamp']), inlined=int(a.get('inlined_bytes', 0)),
                            nmsize=int(a.get('nmsize', 0)), success=a.get('success') == '1')
                task = None
            elif line.startswith('<failure') and task is not None:
                failures[attrs(line).get('reason')] += 1
            elif line.startswith('<nmethod'):
                a = attrs(line)
                if 'compile_id' in a:
                    nmethods[a['compile_id']] = a.get('method')
            elif line.startswith('<make_not_entrant'):
                a = attrs(line)
                if not a.get('zombie'):
                    not_entrant.append(a)
            elif line.startswith('<uncommon_trap') and 'thread=' in line and 'reason=' in line:
                trap = attrs(line)
                if line.endswith('/>'):
                    traps.append((trap, '?'))
                    trap = None
            elif line.startswith('<jvms') and trap is not None:
                traps.append((trap, attrs(line).get('method', '?')))
                trap = None
    for t in tasks:
        t['queued'] = queued.get(t['id'])
    return [t for t in tasks if t['end'] is not None], nmethods, traps, not_entrant, failures


def log_epoch(path):
    """The wall-clock seconds of uptime 0: the header's time_ms."""
    with open(path, errors='replace') as log:
        for line in log:
            if line.startswith('<hotspot_log '):
                return int(attrs(line)['time_ms']) / 1000.0
    raise SystemExit(f"{path}: no <hotspot_log time_ms=...> header")


def main():
    path = sys.argv[1]
    start = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    end = float(sys.argv[3]) if len(sys.argv) > 3 else float('inf')
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    tasks, nmethods, traps, not_entrant, failures = read(path)
    if start > 1e9:
        start, end = start - log_epoch(path), end - log_epoch(path)
    inside = lambda stamp: start <= float(stamp) <= end
    window = [t for t in tasks if inside(t['start'])]
    seconds = lambda t: t['end'] - t['start']
    tier = lambda t: 'tier ' + t['level'] + (' osr' if t['osr'] else '')

    print(f"window {start}-{end} s of JVM uptime: {len(window)} compile tasks")
    per_tier = collections.defaultdict(lambda: [0, 0.0, 0])
    for t in window:
        row = per_tier[tier(t)]
        row[0] += 1
        row[1] += seconds(t)
        row[2] += t['bytes']
    for name, (count, total, size) in sorted(per_tier.items()):
        print(f"  {name:12s} {count:6d} tasks {total:8.2f} s  {size:8d} bytecode bytes")

    print("\ncompile time by package or kind of generated class (s, tasks)")
    per_package = collections.defaultdict(lambda: [0, 0.0])
    for t in window:
        per_package[package(t['method'])][0] += 1
        per_package[package(t['method'])][1] += seconds(t)
    for name, (count, total) in sorted(per_package.items(), key=lambda kv: -kv[1][1])[:top]:
        print(f"  {total:8.2f} {count:6d}  {name}")

    print("\nlongest compiles")
    for t in sorted(window, key=lambda t: -seconds(t))[:top]:
        print(f"  {1000 * seconds(t):8.1f} ms {tier(t):11s} bytes={t['bytes']} inlined={t['inlined']} "
              f"code={t['nmsize']} {t['method']}")

    c2_tasks = [t for t in window if t['level'] == '4']
    if c2_tasks:
        # A backlog carried into the window shows as tasks queued before it; work the window itself makes hot as
        # tasks queued in it, started soon after, of methods C2 never compiled before (their first compile).
        before = [t for t in c2_tasks if t['queued'] is not None and t['queued'] < start]
        waits = sorted(t['start'] - t['queued'] for t in c2_tasks if t['queued'] is not None)
        compiled = {t['method'] for t in tasks if t['level'] == '4' and t['start'] < start}
        first = []
        for t in sorted(c2_tasks, key=lambda t: t['start']):
            if t['method'] not in compiled:
                first.append(t)
                compiled.add(t['method'])
        print(f"\nC2 tasks of the window: {len(before)} of {len(c2_tasks)} queued before it "
              f"({sum(map(seconds, before)):.2f} of {sum(map(seconds, c2_tasks)):.2f} s)")
        if waits:
            print(f"  from queue to start: median {waits[len(waits) // 2]:.3f} s, "
                  f"90th percentile {waits[len(waits) * 9 // 10]:.3f} s")
        print(f"  first C2 compile of the method: {len(first)} tasks, {sum(map(seconds, first)):.2f} s; "
              f"of a method C2 had compiled before (a recompile): {len(c2_tasks) - len(first)} tasks, "
              f"{sum(map(seconds, c2_tasks)) - sum(map(seconds, first)):.2f} s")

    c2 = collections.Counter(t['method'] for t in window if t['level'] == '4')
    again = [(m, n) for m, n in c2.most_common() if n > 1]
    print(f"\ncompiled by C2 more than once: {len(again)} of {len(c2)} methods")
    for method, count in again[:top]:
        print(f"  {count:3d} {method}")

    levels = collections.defaultdict(set)
    for t in window:
        levels[t['method']].add(t['level'])
    both = sum(1 for s in levels.values() if {'2', '3'} <= s)
    print(f"\ncompiled at tier 2 and again at tier 3 (C2's queue was long): {both} methods")

    window_traps = [(a, m) for a, m in traps if inside(a.get('stamp', 0))]
    print(f"\nuncommon traps: {len(window_traps)}")
    for (reason, action), count in collections.Counter(
            (a.get('reason'), a.get('action')) for a, m in window_traps).most_common(top):
        print(f"  {count:5d} {reason} / {action}")
    print("  by method:")
    for (method, reason), count in collections.Counter(
            (m, a.get('reason')) for a, m in window_traps).most_common(top):
        print(f"  {count:5d} {reason:22s} {method}")

    window_ne = [a for a in not_entrant if inside(a.get('stamp', 0))]
    print(f"\nmade not entrant: {len(window_ne)}, by compiler and tier: "
          + ', '.join(f"{c} tier {lv}: {n}" for (c, lv), n in
                      sorted(collections.Counter((a.get('compiler'), a.get('level')) for a in window_ne).items())))
    print(f"failed or dropped compile tasks (whole log): {sum(failures.values())}: "
          + ', '.join(f"{reason} {n}" for reason, n in failures.most_common(5)))
    kinds = collections.Counter(generated_kind(t['method']) for t in window)
    kinds.pop(None, None)
    print("compile tasks of generated classes: " + (', '.join(f"{k} {n}" for k, n in kinds.most_common()) or 'none'))


if __name__ == '__main__':
    main()
