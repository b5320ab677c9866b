"""Where a server process's CPU time and thread hand-offs go over a window, thread by thread (for bench/imap_load.py).

A snapshot reads /proc/PID/task/*/stat (utime + stime, in clock ticks) and /proc/PID/task/*/status (voluntary and
involuntary context switches) of every thread; the difference of two snapshots is summed per thread *group*: the
thread's name without its trailing number ("boundedElastic-7", "epollEventLoopGroup-3-1", "C2 CompilerThread0" ->
"boundedElastic", "epollEventLoopGroup", "C2 CompilerThread"; Linux keeps the first 15 characters of a name).
A voluntary context switch is a thread going to sleep (a wait for a lock, a queue, the disk or the network): per
command, it counts the hand-offs between threads and the waits. A thread that ends between the two snapshots is
missed (its share is under-counted); one that starts counts from zero.

Also the whole machine's busy and idle CPU seconds over the window, from /proc/stat, to tell a server that waits
from one that does not get the CPU.
"""
import os
import re

TICK = os.sysconf("SC_CLK_TCK")
_TRAILING_NUMBER = re.compile(r"[-#\s\d]+$")


def group_of(name):
    return _TRAILING_NUMBER.sub("", name) or name


def snapshot(pid):
    """{thread id: (name, CPU ticks, voluntary switches, involuntary switches)} of the process's threads now."""
    threads = {}
    task_dir = "/proc/%d/task" % pid
    for task in os.listdir(task_dir):
        try:
            with open("%s/%s/stat" % (task_dir, task)) as f:
                stat = f.read()
            with open("%s/%s/status" % (task_dir, task)) as f:
                status = f.read()
        except OSError:
            continue  # the thread ended while we read
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        switches = dict(line.split(":\t") for line in status.splitlines()
                        if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")))
        threads[task] = (name, int(fields[11]) + int(fields[12]),
                         int(switches["voluntary_ctxt_switches"]), int(switches["nonvoluntary_ctxt_switches"]))
    return threads


def by_group(before, after):
    """{group: [CPU seconds, voluntary switches, involuntary switches]} between two snapshots."""
    groups = {}
    for task, (name, ticks, voluntary, involuntary) in after.items():
        _, ticks0, voluntary0, involuntary0 = before.get(task, (name, 0, 0, 0))
        entry = groups.setdefault(group_of(name), [0.0, 0, 0])
        entry[0] += (ticks - ticks0) / TICK
        entry[1] += voluntary - voluntary0
        entry[2] += involuntary - involuntary0
    return groups


def machine():
    """(busy, idle) CPU seconds of the whole machine since boot, all cores together (idle includes I/O wait)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values[:8]) / TICK - idle / TICK, idle / TICK
