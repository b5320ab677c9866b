#!/usr/bin/env python3
"""Round trip of one IMAP command repeated on one connection (a body FETCH by default), for bench/run-imap-cpu.sh --rtt
(or any server whose process id is known; Dovecot: --cpu-tree with its master's process id).

One connection (STARTTLS) logs in, fills a mailbox with --messages of imap_phases.py's messages unless it holds them,
SELECTs it, sends the command --warmup times unmeasured (the JIT compiles its path), then --rounds rounds of --repeat,
each one command at a time, the next sent when the tagged answer has been read (what imap_phases.py's 100 body FETCHes
do, at a steady state). Per round: the round trip's minimum, p10, median and p90 in ms (client and TLS included), the
server's CPU per command (and its JIT compiler threads' part), the client's own CPU per command, and with --cpu-pid the
server's CPU and voluntary / involuntary context switches per command by thread group (server_threads.py). With
--strace, `strace -c` counts the system calls of the server's I/O and boundedElastic threads over the first round.
Wall times follow a loaded machine's load; the thread CPU and the counts say more there.
"""
import argparse
import os
import resource
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imap_phases import Imap, ProcessTreeCpu, ServerCpu, message  # noqa: E402  (same folder)
import server_threads  # noqa: E402  (same folder)

STRACED_THREADS = ("imap-io", "boundedElastic")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls", choices=["none", "starttls"], default="starttls")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--cpu-pid", type=int, default=0, help="the server's process (a JVM: thread groups too)")
    parser.add_argument("--cpu-tree", type=int, default=0, help="or a process and all its descendants (Dovecot)")
    parser.add_argument("--mailbox", default="Rtt")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2000, help="commands per measured round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--command", default="FETCH {n} (BODY.PEEK[])", help="{n}: a message number spread over the mailbox")
    parser.add_argument("--strace", action="store_true")
    args = parser.parse_args()
    if not args.cpu_pid and not args.cpu_tree:
        parser.error("--cpu-pid or --cpu-tree is required")
    cpu = ProcessTreeCpu(args.cpu_tree) if args.cpu_tree else ServerCpu(args.cpu_pid, "")

    imap = Imap(args.host, args.port, args.tls)
    imap.command('LOGIN "%s" "%s"' % (args.user, args.password))
    try:
        lines = imap.command("STATUS %s (MESSAGES)" % args.mailbox)
        exists = int(lines[0].split(b"MESSAGES ")[1].split(b")")[0])
    except SystemExit:
        imap.command("CREATE %s" % args.mailbox)
        exists = 0
    for n in range(exists, args.messages):
        data = message(n)
        tag = imap.next_tag()
        imap.send(b"%s APPEND %s {%d}\r\n" % (tag, args.mailbox.encode(), len(data)))
        if not imap.readline().startswith(b"+"):
            raise SystemExit("no continuation for APPEND %d" % n)
        imap.send(data + b"\r\n")
        imap.read_until(tag)
    lines = imap.command("SELECT %s" % args.mailbox)
    exists = next(int(line.split()[1]) for line in lines if line.endswith(b" EXISTS\r\n"))
    sent = [0]

    def one():
        sent[0] += 1
        start = time.perf_counter_ns()
        imap.command(args.command.format(n=1 + (sent[0] * 37) % exists))
        return time.perf_counter_ns() - start

    for _ in range(args.warmup):
        one()
    strace = None
    if args.strace and args.cpu_pid:
        threads = []
        for task in os.listdir("/proc/%d/task" % args.cpu_pid):
            with open("/proc/%d/task/%s/comm" % (args.cpu_pid, task)) as f:
                if f.read().startswith(STRACED_THREADS):
                    threads += ["-p", task]
        strace = subprocess.Popen(["strace", "-q", "-c", "-o", "/dev/stderr"] + threads, stdout=subprocess.DEVNULL)
        time.sleep(2)  # attached
    for r in range(args.rounds):
        threads_before = server_threads.snapshot(args.cpu_pid) if args.cpu_pid else None
        cpu_before, jit_before = cpu.seconds(), cpu.jit_seconds() if args.cpu_pid else 0
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        times = sorted(one() for _ in range(args.repeat))
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        if strace:
            strace.send_signal(signal.SIGINT)
            strace.wait()
            strace = None
        count = args.repeat
        prefix = "round%d_" % r
        with open("/proc/loadavg") as f:
            print("%sload_average=%s" % (prefix, f.read().split()[0]))
        for name, q in (("min", 0), ("p10", 0.1), ("median", 0.5), ("p90", 0.9)):
            print("%s%s_ms=%.3f" % (prefix, name, times[int(q * (count - 1))] / 1e6))
        print("%sserver_cpu_ms=%.3f" % (prefix, (cpu.seconds() - cpu_before) * 1000 / count))
        if args.cpu_pid:
            print("%sjit_ms=%.3f" % (prefix, (cpu.jit_seconds() - jit_before) * 1000 / count))
        client = (client_after.ru_utime - client_before.ru_utime) + (client_after.ru_stime - client_before.ru_stime)
        print("%sclient_cpu_ms=%.3f" % (prefix, client * 1000 / count))
        if threads_before:
            groups = server_threads.by_group(threads_before, server_threads.snapshot(args.cpu_pid))
            print("%sthreads=%s" % (prefix, " ".join(
                "%s:cpu_ms=%.3f,voluntary=%.2f,involuntary=%.2f" % (group, e[0] * 1000 / count, e[1] / count, e[2] / count)
                for group, e in sorted(groups.items(), key=lambda item: -item[1][0]) if e[0] > 0)))
        sys.stdout.flush()
    imap.command("LOGOUT")


if __name__ == "__main__":
    sys.exit(main())
