#!/usr/bin/env python3
"""What ran in the JVM during each body FETCH of a phases run: JIT compiles, uncommon traps, code made not entrant,
GC pauses, safepoints and class loads, FETCH by FETCH.

    bench/body-fetch-jit.py RUN.out RUN.jit.log [RUN.gc.log [RUN.sp.log [RUN.cl.log]]] [--min-ms MS]

RUN.out: the output of `bench/run-imap-cpu.sh --phases` (its cold_ round: imap_phases.py --each-fetch prints each body
FETCH's window as cold_body<N>_epoch_s=START-END ms=MS, and each phase's cold_<phase>_epoch_s); the server started with
MAILROOM_JAVA_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=RUN.jit.log
-Xlog:gc*:file=RUN.gc.log:uptime,time -Xlog:safepoint:file=RUN.sp.log:uptime,time
-Xlog:class+load=info:file=RUN.cl.log:uptime,time" (the -Xlog files are optional).
Prints, for the SELECT, FETCH 1:*, UID SEARCH and bodies windows, their counts and non-compile events; then each body
FETCH with an event (or slower than --min-ms): the compile tasks overlapping it (tier, ms of overlap, the task's whole
length, when it was queued relative to the FETCH's start: a negative value is work an earlier command left to the
compiler), traps with the inlining chain of the trapping bytecode, not-entrant code, GC pauses, safepoints, classes
loaded; and a summary line of the FETCHes over 1 ms and what overlapped each (bench/README.md, IMAP chapter, h-first of
the twenty-first session: which compile ran across the slow FETCHes, and where it was queued).
"""
import importlib.util
import os
import re
import sys

args = [a for a in sys.argv[1:] if not a.startswith('--')]
min_ms = float(sys.argv[sys.argv.index('--min-ms') + 1]) if '--min-ms' in sys.argv else 1e9
if '--min-ms' in sys.argv:
    args.remove(sys.argv[sys.argv.index('--min-ms') + 1])
if len(args) < 2:
    raise SystemExit(__doc__)
out_path, jit_path = args[0], args[1]
gc_path, sp_path, cl_path = (args[2:] + [None, None, None])[:3]
spec = importlib.util.spec_from_file_location('jl', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'jit-log.py'))
jl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(jl)

out = open(out_path).read()
epoch0 = jl.log_epoch(jit_path)
up = lambda e: e - epoch0
phases = []
for ph in ('select', 'fetch_all', 'uid_search', 'fetch_bodies'):
    m = re.search(r'(?:cold_)?%s_epoch_s=([\d.]+)-([\d.]+)' % ph, out)
    if m:
        phases.append((ph, up(float(m.group(1))), up(float(m.group(2)))))
bodies = [(int(m.group(1)), up(float(m.group(2))), up(float(m.group(3))), float(m.group(4)))
          for m in re.finditer(r'(?:cold_)?body(\d+)_epoch_s=([\d.]+)-([\d.]+) ms=([\d.]+)', out)]
if not phases:
    raise SystemExit(out_path + ': no <phase>_epoch_s lines')
lo, hi = min(a for (_, a, _) in phases) - 0.5, max(b for (_, _, b) in phases) + 0.5

A = re.compile(r"(\w+)='([^']*)'")
ids, tasks, traps, not_entrant, queued = {}, [], [], [], {}
trap, task = None, None
for line in open(jit_path, errors='replace'):
    line = line.strip()
    if line.startswith('<task_queued '):
        a = dict(A.findall(line))
        queued[a.get('compile_id')] = float(a['stamp'])
    elif line.startswith('<task '):
        a = dict(A.findall(line))
        ids[a.get('compile_id')] = a.get('method', '?')
        task = dict(method=a.get('method', '?'), level=a.get('level', '4'), osr=a.get('compile_kind') == 'osr',
                    start=float(a['stamp']), end=None, id=a.get('compile_id'))
        if lo - 5 <= task['start'] <= hi:
            tasks.append(task)
    elif line.startswith('<task_done') and task is not None:
        task['end'] = float(dict(A.findall(line))['stamp'])
        task = None
    elif line.startswith('<nmethod'):
        a = dict(A.findall(line))
        if 'compile_id' in a and 'method' in a:
            ids.setdefault(a['compile_id'], a['method'])
    elif line.startswith('<make_not_entrant'):
        a = dict(A.findall(line))
        if lo <= float(a.get('stamp', 0)) <= hi:
            not_entrant.append((float(a['stamp']), a.get('compile_id')))
    elif line.startswith('<uncommon_trap') and 'thread=' in line:
        trap = None if line.endswith('/>') else (dict(A.findall(line)), [])
        continue
    if trap is not None:
        if line.startswith('<jvms'):
            method = dict(A.findall(line)).get('method', '?').split(' ')
            trap[1].append('%s.%s@%s' % (method[0].split('.')[-1], method[1] if len(method) > 1 else '',
                                         dict(A.findall(line)).get('bci')))
            continue
        a, chain = trap
        trap = None
        if lo <= float(a.get('stamp', 0)) <= hi:
            traps.append((float(a['stamp']), a.get('reason'), a.get('action'), ' <- '.join(chain), a.get('compile_id')))
tasks = [t for t in tasks if t['end'] is not None]


def xlog(path, pattern):
    found = []
    if path and os.path.exists(path):
        for line in open(path, errors='replace'):
            m = re.match(r'\[[^\]]*\]\[([\d.]+)s\](.*)', line)
            if m and lo <= float(m.group(1)) <= hi and re.search(pattern, m.group(2)):
                found.append((float(m.group(1)), m.group(2).strip()))
    return found


gcs, safepoints, loads = xlog(gc_path, r'Pause'), xlog(sp_path, r'Safepoint'), xlog(cl_path, r'source')


def short(method):
    parts = method.split(' ')
    name = parts[0] + ('.' + parts[1] if len(parts) > 1 else '')
    return name.replace('org.apache.derby.', 'derby.').replace('org.mailroom.', 'mailroom.')


def events(a, b):
    found = []
    overlap = lambda t: (min(b, t['end']) - max(a, t['start'])) * 1000
    for t in sorted([t for t in tasks if t['start'] < b and t['end'] > a], key=overlap, reverse=True):
        q = queued.get(t['id'])
        found.append('C%s tier %s%s %.1f ms of %.0f, queued %+.3f s: %s' % (
            '2' if t['level'] == '4' else '1', t['level'], ' osr' if t['osr'] else '', overlap(t),
            (t['end'] - t['start']) * 1000, (q - a) if q is not None else 0.0, short(t['method'])))
    found += ['trap %s/%s %s [%s]' % (r, act, chain[:300], short(ids.get(cid, '?')))
              for (s, r, act, chain, cid) in traps if a <= s <= b]
    found += ['not entrant %s' % short(ids.get(cid, '?')) for (s, cid) in not_entrant if a <= s <= b]
    found += ['gc %s' % l[:100] for (s, l) in gcs if a - 0.05 <= s <= b]
    found += ['safepoint %s' % l[:100] for (s, l) in safepoints if a <= s <= b]
    found += ['class %s' % l.split()[0] for (s, l) in loads if a <= s <= b]
    return found


for (name, a, b) in phases:
    found = events(a, b)
    print('== %s, uptime %.3f-%.3f s, %.1f ms: %d C2 and %d C1 tasks, %d traps, %d not entrant' % (
        name, a, b, (b - a) * 1000, sum(e.startswith('C2') for e in found), sum(e.startswith('C1') for e in found),
        sum(e.startswith('trap') for e in found), sum(e.startswith('not entrant') for e in found)))
    for e in [e for e in found if not e.startswith('C')][:15]:
        print('    ' + e)
slow = []
for (n, a, b, ms) in bodies:
    found = events(a, b)
    if ms > 1.0:
        slow.append('body %d %.2f ms: %s' % (n, ms, ', '.join(e.split(':')[-1].strip() if e.startswith('C') else e.split(' ')[0]
                                                          for e in found[:3]) or 'nothing'))
    if found or ms >= min_ms:
        print('body %d: %.2f ms' % (n, ms))
        for e in found[:10]:
            print('    ' + e)
print('over 1 ms: %d of %d body FETCHes' % (len(slow), len(bodies)))
for line in slow:
    print('  ' + line)
