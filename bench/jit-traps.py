#!/usr/bin/env python3
"""Which compiled code the JVM threw away, and where: from a -XX:+LogCompilation file (as bench/jit-log.py reads).

    bench/jit-traps.py JITLOG [REGEX] [FROM TO]
    bench/jit-traps.py R.jit.log movePosition            # every trap and not-entrant event of Derby's row fetch

Prints one line per runtime uncommon trap (JVM uptime, reason/action, the compile id of the code it left, the
inlining chain of the trapping bytecode as method@bci <- caller@bci ..., and the compiled method with its tier) and
per make_not_entrant (uptime, compile id, method, tier), for those whose method or chain matches REGEX (default:
all), within FROM-TO seconds of uptime. jit-log.py counts traps by reason and method; this says which inlined callee
and bytecode trapped, e.g. a loop in Derby's auto-commit inlined into EmbedResultSet.movePosition (bench/README.md,
IMAP chapter, h-deopt of the twentieth session)."""
import re, sys
path = sys.argv[1]; pat = re.compile(sys.argv[2] if len(sys.argv) > 2 else '.')
lo = float(sys.argv[3]) if len(sys.argv) > 3 else 0; hi = float(sys.argv[4]) if len(sys.argv) > 4 else 1e18
A = re.compile(r"(\w+)='([^']*)'")
ids = {}
cur = None
for line in open(path, errors='replace'):
    line = line.strip()
    if line.startswith('<nmethod') or line.startswith('<task '):
        a = dict(A.findall(line))
        if 'compile_id' in a and 'method' in a: ids[a['compile_id']] = a['method'] + ' L' + a.get('level', '4') + (' osr' if a.get('compile_kind') == 'osr' else '')
    if line.startswith('<uncommon_trap') and 'thread=' in line:
        a = dict(A.findall(line)); cur = (a, [])
        if line.endswith('/>'): cur = None
        continue
    if cur is not None:
        if line.startswith('<jvms'):
            b = dict(A.findall(line)); cur[1].append('%s@%s' % (b.get('method', '?').split(' (')[0], b.get('bci')))
            continue
        a, ch = cur; cur = None
        s = float(a.get('stamp', 0))
        txt = ' <- '.join(ch) + ' ' + ids.get(a.get('compile_id'), '')
        if lo <= s <= hi and pat.search(txt):
            print('%.3f trap %s/%s id=%s %s' % (s, a.get('reason'), a.get('action'), a.get('compile_id'), txt[:600]))
    if line.startswith('<make_not_entrant'):
        a = dict(A.findall(line)); s = float(a.get('stamp', 0))
        m = ids.get(a.get('compile_id'), '?')
        if lo <= s <= hi and pat.search(m):
            print('%.3f not_entrant id=%s %s' % (s, a.get('compile_id'), m))
