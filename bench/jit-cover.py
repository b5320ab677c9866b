#!/usr/bin/env python3
"""How much of a load's hot code a start-up warm-up compiled at C2 before the listeners opened, from
-XX:+LogCompilation files (bench/jit-log.py reads them).

    bench/jit-cover.py REF_LOG:START:END[,REF_LOG:START:END...] RUN_LOG:OPEN_EPOCH [RUN_LOG:OPEN_EPOCH ...]

The reference set is the methods C2 compiled (tier 4, not OSR) inside the reference windows (START-END: wall-clock
seconds since 1970, e.g. run-imap-cpu.sh --mix's round<R>_load_epoch_s, of a build without the warm-up step under
test), lambdas, reflection accessors and Derby's generated statement classes left out (their names change from run
to run). For each run it prints how many of them that run had compiled at C2 by OPEN_EPOCH (the wall-clock time of
its "warmed up in" log line: the listeners open right after).
"""
import os
import sys
import importlib.util
spec = importlib.util.spec_from_file_location("jitlog", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                     "jit-log.py"))
jl = importlib.util.module_from_spec(spec); spec.loader.exec_module(jl)
def c2(path):
    tasks, *_ = jl.read(path)
    return [t for t in tasks if t['level'] == '4' and not t['osr'] and t.get('success', True)], jl.log_epoch(path)
def stable(m):
    return '$$Lambda$' not in m and not m.startswith('org.apache.derby.exe.') and 'Generated' not in m.split(' ')[0]
ref = set()
for spec_ in sys.argv[1].split(','):
    path, start, end = spec_.split(':')
    tasks, epoch = c2(path)
    s, e = float(start) - epoch, float(end) - epoch
    ref |= {t['method'] for t in tasks if s <= t['start'] <= e and stable(t['method'])}
print(f"reference: {len(ref)} methods compiled at C2 in the reference windows (no lambdas, no Derby statement classes)")
for arg in sys.argv[2:]:
    path, open_epoch = arg.split(':')
    tasks, epoch = c2(path)
    before = {t['method'] for t in tasks if t['end'] - 0 <= float(open_epoch) - epoch}
    hit = ref & before
    print(f"{path}: {len(hit)} of {len(ref)} ({100*len(hit)/len(ref):.0f} %) compiled at C2 before the listeners opened; "
          f"{len(before)} methods at C2 by then")
