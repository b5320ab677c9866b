#!/usr/bin/env python3
"""Derby's own work in each window of a cold `run-imap-cpu.sh --phases` round (and of a mixed load run after it on the
same server, `mix_load_epoch_s`): statement classes defined (compiles, and which ran inside an execution), page reads
and writes of the data files, log writes and forces, waits of the command threads with Derby on the stack; then per
body FETCH (lines `cold_bodyN_epoch_s=A-B ms=M` when the phases script prints them).

  RUNS=DIR python3 bench/derby_windows.py RUN [-v]   # reads DIR/RUN.out and DIR/RUN.ev.tsv (bench/JfrDerbyEvents.java)

bench/README.md, IMAP, "h-stale" (twenty-first session)."""
import os, re, sys
from collections import Counter
d = os.environ.get('RUNS', '.') + '/'; name = sys.argv[1]; verbose = '-v' in sys.argv
out = open(d + name + '.out').read()
wins = []
for ph in ('append', 'select', 'fetch_all', 'uid_search', 'fetch_bodies'):
    m = re.search(r'cold_%s_epoch_s=([\d.]+)-([\d.]+)' % ph, out)
    if m: wins.append((ph, float(m.group(1)), float(m.group(2))))
m = re.search(r'cold_fetch_bodies_epoch_s=([\d.]+)-([\d.]+)', out)
ml = re.search(r'mix_load_epoch_s=([\d.]+)-([\d.]+)', out)
if m and ml: wins.append(('fill', float(m.group(2)), float(ml.group(1))))
if ml: wins.append(('mix_load', float(ml.group(1)), float(ml.group(2))))
bodies = [(int(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)))
          for m in re.finditer(r'cold_body(\d+)_epoch_s=([\d.]+)-([\d.]+) ms=([\d.]+)', out)]
ev = []
for line in open(d + name + '.ev.tsv'):
    k, t, ms, thr, det = line.rstrip('\n').split('\t', 4)
    ev.append((k, float(t), float(ms), thr, det))
def inwin(a, b, kinds=None):
    return [e for e in ev if (kinds is None or e[0] in kinds) and (a <= e[1] <= b or (e[1] < a and e[1] + e[2] / 1000 > a))]
def grp(t): return re.sub(r'[-#]?\d+$', '', t)
cmd = re.compile(r'(imap-io|boundedElastic)')
for (w, a, b) in wins:
    cd = inwin(a, b, ('ClassDefine',)); rd = [e for e in inwin(a, b, ('FileRead',)) if 'seg0/' in e[4]]
    wr = [e for e in inwin(a, b, ('FileWrite',)) if 'seg0/' in e[4]]; lw = [e for e in inwin(a, b, ('FileWrite',)) if 'log/' in e[4]]
    fo = inwin(a, b, ('FileForce',)); wt = [e for e in inwin(a, b, ('JavaMonitorWait', 'JavaMonitorEnter', 'ThreadPark')) if cmd.match(e[3])]
    print('== %s %.1f ms' % (w, (b - a) * 1000))
    print('   statement classes %d: %s' % (len(cd), dict(Counter((grp(e[3]), ' '.join(e[4].split()[1:])) for e in cd).most_common(12))))
    print('   page reads %d (%.1f ms) by %s; page writes %d (%.1f ms) by %s; log writes %d; forces %d (%.1f ms) by %s' % (
        len(rd), sum(e[2] for e in rd), dict(Counter(grp(e[3]) for e in rd)), len(wr), sum(e[2] for e in wr), dict(Counter(grp(e[3]) for e in wr)),
        len(lw), len(fo), sum(e[2] for e in fo), dict(Counter(grp(e[3]) for e in fo))))
    if wt:
        print('   waits >= 1 ms on command threads: %d, %.1f ms; longest: %s' % (len(wt), sum(e[2] for e in wt), sorted(wt, key=lambda e: -e[2])[0][2:]))
    if verbose and w != 'append':
        for e in cd[:40]: print('     ', e[0], '%.3f' % (e[1] - a), e[3], e[4])
slow = [x for x in bodies if x[3] > 1.0]
print('== body FETCHes > 1 ms: %d of %d' % (len(slow), len(bodies)))
nread = 0; nwith = 0
for (i, a, b, ms) in bodies:
    rd = [e for e in inwin(a, b, ('FileRead',)) if 'seg0/' in e[4]]; nread += len(rd); nwith += bool(rd)
    cd = inwin(a, b, ('ClassDefine',)); fo = inwin(a, b, ('FileForce',)); wr = [e for e in inwin(a, b, ('FileWrite',)) if 'seg0/' in e[4]]
    wt = [e for e in inwin(a, b, ('JavaMonitorWait', 'JavaMonitorEnter', 'ThreadPark')) if cmd.match(e[3])]
    if ms > 1.0 or cd or fo or wt:
        print('  body%d %.2f ms: classes %s; reads %d (%.2f ms, by %s); writes %d; forces %s; waits %s' % (i, ms, [(e[3], ' '.join(e[4].split()[1:])) for e in cd],
              len(rd), sum(e[2] for e in rd), dict(Counter(grp(e[3]) for e in rd)), len(wr), ['%.1f %s' % (e[2], e[3]) for e in fo], ['%.1f %s %s' % (e[2], e[3], e[4][:80]) for e in wt]))
print('page reads in body FETCHes: %d, FETCHes with a read: %d of %d' % (nread, nwith, len(bodies)))
