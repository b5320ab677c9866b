#!/usr/bin/env python3
"""One-mailbox IMAP phases for bench/run-imap.sh, the same on every server.

Over one connection (STARTTLS when asked), logged in as one user:
  append       M messages APPENDed one after the other into a fresh mailbox (LITERAL+ when offered, else a
               synchronizing literal), each answered before the next is sent;
  select       SELECT of that mailbox;
  fetch_all    FETCH 1:* (UID FLAGS RFC822.SIZE);
  uid_search   UID SEARCH HEADER X-Bench-Group g7 (a header only every 10th message carries);
  fetch_bodies FETCH of 100 whole messages (BODY.PEEK[]), one command per message, spread over the mailbox.
Every phase checks its tagged answer (and what it should have returned); a failure exits non-zero.

Output: key=value lines: <phase>_s (wall seconds), append_msgs_per_s, the counts checked, and with --cpu-pid or
--cpu-comm <phase>_server_cpu_s: CPU seconds (user + system) the server's processes spent in the phase, which says
more than wall time on a machine shared with other work; with --cpu-pid also <phase>_server_jit_cpu_s, the part
of it spent by the JVM's JIT compiler threads (a phase run once on a fresh JVM pays for compiling its code);
<phase>_epoch_s=START-END, the phase's wall-clock seconds since 1970, which bench/jit-log.py takes as its window;
fetch_bodies_first_ms, _second_ms, _median_ms and _max_ms: the body FETCHes' own round trips (a fresh server's first
one or two can hold a whole phase's difference).
With --jfr FILE (and --cpu-pid, a JVM) a Java Flight Recording (profile settings) of the read phases alone, from
after the APPENDs to the end, is written to FILE.
fetch_all_first_line_ms: FETCH 1:*'s time from the command sent to its first answer line read (the rest, to the
tagged OK, is the server's encoding and the client's reading and parsing of 10,000 lines, side by side).
With --threads (and --cpu-pid) each read phase also prints what ran on the machine's cores in its window, read
around the phase (not inside its timing): <phase>_threads_ms=NAME:CPU/WAIT,... for the server's threads grouped by
name (numbers dropped), the CPU milliseconds each spent in the window and the milliseconds it waited runnable for a
core (/proc/PID/task/*/schedstat: a 10,000-line FETCH is a few ms, below /proc's 10 ms ticks), the 8 largest;
<phase>_client_ms=CPU/WAIT, the same for this client; <phase>_machine_busy_ms, the CPU time of every process on the
machine in the window (/proc/stat, 10 ms ticks), so what is neither server nor client shows as the rest. A phase
that is slow while the server's CPU is not says here who had the cores (bench/README.md, IMAP, "h-quiet").
With --gc (and --cpu-pid, a HotSpot JVM) each phase also prints <phase>_gc=young:N,young_ms:MS,eden_mb:BEFORE>AFTER,
eden_capacity_mb:MB,old_mb:MB,safepoints:N from the JVM's perf-data counters (bench/jvm_perf_counters.py: read
without attaching, so nothing runs in the JVM): N young collections fell in the phase, and how full eden was
before and after it (a collection is due when eden is full: what a phase allocates against the room left is the
chance that one lands in it); and every body FETCH's wall-clock window, body<N>_epoch_s=START-END, and
fetch_bodies_over_1ms=N:MS,... (the FETCHes over 1 ms), which bench/gc-windows.py lays over a -Xlog:gc*,safepoint
log. With --alloc (and --cpu-pid) each phase prints <phase>_alloc_kb=TOTAL,THREAD:KB,...: the bytes the server's
threads allocated in it, exact per thread (bench/AllocProbe.java, attached through the JVM's management agent
before the APPENDs; its own RMI threads left out). Both: bench/README.md, IMAP, "h-gc" (twenty-first session).
With --each-fetch (implied by --gc) every body FETCH prints its own window: body<N>_epoch_s=START-END ms=MS
(wall-clock seconds since 1970 around the command, and its round trip), which bench/body-fetch-jit.py lines up with the JIT, GC, safepoint and
class-load logs of the server (bench/README.md, IMAP, h-first of the twenty-first session).
"""
import os
import argparse
import re
import socket
import subprocess
import ssl
import sys
import time


class Imap:
    def __init__(self, host, port, tls):
        self.sock = socket.create_connection((host, port), timeout=600)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")
        self.tag = 0
        self.readline()  # greeting
        if tls == "starttls":
            self.command("STARTTLS")
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            self.sock = context.wrap_socket(self.sock)
            self.file = self.sock.makefile("rb")

    def readline(self):
        line = self.file.readline()
        if not line:
            raise SystemExit("connection closed by the server")
        return line

    def send(self, data):
        self.sock.sendall(data)

    def next_tag(self):
        self.tag += 1
        return b"b%d" % self.tag

    def read_until(self, tag):
        """Lines up to the tagged one; literals ({N}) are read whole and kept inline."""
        lines = []
        while True:
            line = self.readline()
            if not lines:
                self.first_line_at = time.monotonic()
            literal = re.search(rb"\{(\d+)\}\r\n$", line)
            while literal:
                data = self.file.read(int(literal.group(1)))
                rest = self.readline()
                line = line + data + rest
                literal = re.search(rb"\{(\d+)\}\r\n$", rest)
            lines.append(line)
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise SystemExit("failed: %r" % line)
                return lines

    def command(self, text):
        tag = self.next_tag()
        self.send(tag + b" " + text.encode() + b"\r\n")
        return self.read_until(tag)

    def capabilities(self):
        for line in self.command("CAPABILITY"):
            if line.startswith(b"* CAPABILITY "):
                return set(line.decode().split()[2:])
        return set()


class ProcessTreeCpu:
    """CPU seconds used so far by a process and all its descendants, those that have exited included (--cpu-tree
    PID: Dovecot's master, whose per-session imap processes come and go with each LOGIN ... LOGOUT and whose auth
    process checks the passwords; an exited process's time moves to its parent's cutime/cstime when reaped, so the
    sum over the live tree of utime+stime+cutime+cstime only grows)."""

    def __init__(self, root):
        self.root = root
        self.tick = os.sysconf("SC_CLK_TCK")

    def seconds(self):
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open("/proc/%s/stat" % entry) as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[int(entry)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))  # ppid, u+s+cu+cs
        children = {}
        for pid, (ppid, _) in stats.items():
            children.setdefault(ppid, []).append(pid)
        total, todo = 0, [self.root]
        while todo:
            pid = todo.pop()
            if pid in stats:
                total += stats[pid][1]
                todo.extend(children.get(pid, []))
        return total / self.tick

    def jit_seconds(self):
        return None


class ServerCpu:
    """CPU seconds used so far by the server: one process (--cpu-pid) or every process of some names (--cpu-comm,
    comma-separated: Dovecot's imap processes, and with TLS its imap-login processes, which proxy each session)."""

    def __init__(self, pid, comm):
        self.pid, self.comm = pid, comm
        self.comms = set(comm.split(",")) if comm else set()
        self.tick = os.sysconf("SC_CLK_TCK")
        self.compiler_ticks = {}  # thread id -> CPU ticks when last read, kept after the thread has stopped

    def pids(self):
        if self.pid:
            return [self.pid]
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open("/proc/%s/comm" % entry) as f:
                        if f.read().strip() in self.comms:
                            found.append(int(entry))
                except OSError:
                    pass
        return found

    def seconds(self):
        if not self.pid and not self.comm:
            return None
        total = 0
        for pid in self.pids():
            try:
                with open("/proc/%d/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except OSError:
                pass
        return total / self.tick

    def jit_seconds(self):
        """CPU seconds of the JVM's JIT compiler threads so far (--cpu-pid only; None otherwise): part of
        seconds(), shown apart because a code path the JVM has not compiled yet costs compilation on top of its
        own work. HotSpot starts and stops compiler threads as needed: a stopped one keeps the CPU it had when last
        read (so the figure never goes down), and what it used after that is missed (so it can under-count)."""
        if not self.pid:
            return None
        task_dir = "/proc/%d/task" % self.pid
        try:
            tasks = os.listdir(task_dir)
        except OSError:
            return None
        for task in tasks:
            try:
                with open("%s/%s/stat" % (task_dir, task)) as f:
                    stat = f.read()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            if name.startswith(("C1 CompilerThre", "C2 CompilerThre")):
                fields = stat.rsplit(")", 1)[1].split()
                self.compiler_ticks[task] = int(fields[11]) + int(fields[12])
        return sum(self.compiler_ticks.values()) / self.tick


def server_threads(pid):
    """Per thread of the process: (name, CPU ns, run-queue wait ns) from its schedstat."""
    result = {}
    base = "/proc/%d/task" % pid
    for tid in os.listdir(base):
        try:
            with open("%s/%s/comm" % (base, tid)) as f:
                name = f.read().strip()
            with open("%s/%s/schedstat" % (base, tid)) as f:
                fields = f.read().split()
            result[tid] = (name, int(fields[0]), int(fields[1]))
        except OSError:
            pass  # a thread that ended meanwhile
    return result


def machine_busy_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]  # user nice system irq softirq steal


def client_sched():
    with open("/proc/thread-self/schedstat") as f:
        v = f.read().split()
    return int(v[0]), int(v[1])


class Cores:
    """--threads: who had the machine's cores during a phase (see the module comment); entered before the Phase
    it wraps and left after it, so its own reads stay out of the phase's timing."""

    def __init__(self, name, pid):
        self.name, self.pid = name, pid

    def __enter__(self):
        if self.pid:
            self.threads = server_threads(self.pid)
            self.busy = machine_busy_ticks()
            self.client = client_sched()
        return self

    def __exit__(self, *exc):
        if exc[0] is not None or not self.pid:
            return False
        client = client_sched()
        busy = machine_busy_ticks()
        groups = {}
        for tid, (name, cpu, wait) in server_threads(self.pid).items():
            _, cpu0, wait0 = self.threads.get(tid, (name, 0, 0))
            if cpu > cpu0 or wait > wait0:
                key = re.sub(r"[-#]?\d+$", "", name)
                c, w = groups.get(key, (0, 0))
                groups[key] = (c + cpu - cpu0, w + wait - wait0)
        top = sorted(groups.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:8]
        print("%s_threads_ms=%s" % (self.name, ",".join("%s:%.2f/%.2f" % (k, c / 1e6, w / 1e6) for k, (c, w) in top)))
        print("%s_client_ms=%.2f/%.2f" % (self.name, (client[0] - self.client[0]) / 1e6, (client[1] - self.client[1]) / 1e6))
        print("%s_machine_busy_ms=%d" % (self.name, (busy - self.busy) * 1000 // os.sysconf("SC_CLK_TCK")))
        return False


class HeapProbes:
    """--gc and --alloc: the JVM's GC counters and its threads' allocation around each phase (outside its timing)."""

    def __init__(self, pid, gc, alloc):
        self.perf = self.alloc = None
        if gc:
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            from jvm_perf_counters import PerfData
            self.perf = PerfData(pid)
        if alloc:
            probe = os.path.join(os.path.dirname(os.path.abspath(__file__)), "AllocProbe.java")
            self.alloc = subprocess.Popen(["java", probe, str(pid)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          text=True)
            if self.alloc.stdout.readline().strip() != "ready":
                raise SystemExit("AllocProbe could not attach to %d" % pid)

    def before(self, name):
        self.gc_before = self.perf.gc() if self.perf else None
        if self.alloc:
            self.alloc.stdin.write("%s_before\n" % name)
            self.alloc.stdin.flush()
            self.alloc.stdout.readline()

    def after(self, name):
        if self.perf:
            a, b = self.gc_before, self.perf.gc()
            print("%s_gc=young:%d,young_ms:%.1f,eden_mb:%.0f>%.0f,eden_capacity_mb:%.0f,old_mb:%.0f,safepoints:%d" % (
                name, b["young"] - a["young"], b["young_ms"] - a["young_ms"], a["eden_mb"], b["eden_mb"],
                b["eden_capacity_mb"], b["old_mb"], b["safepoints"] - a["safepoints"]))
        if self.alloc:
            self.alloc.stdin.write("%s\n" % name)
            self.alloc.stdin.flush()
            print(self.alloc.stdout.readline().strip())


PROBES = None


class Phase:
    def __init__(self, name, cpu):
        self.name, self.cpu = name, cpu

    def __enter__(self):
        if PROBES:
            PROBES.before(self.name)
        self.cpu_start = self.cpu.seconds()
        self.jit_start = self.cpu.jit_seconds()
        self.start = time.monotonic()
        self.epoch_start = time.time()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.elapsed = time.monotonic() - self.start
            print("%s_s=%.4f" % (self.name, self.elapsed))
            # Wall-clock marks of the phase: bench/jit-log.py turns them into the JVM uptime of a LogCompilation file.
            print("%s_epoch_s=%.3f-%.3f" % (self.name, self.epoch_start, time.time()))
            if self.cpu_start is not None:
                print("%s_server_cpu_s=%.2f" % (self.name, self.cpu.seconds() - self.cpu_start))
            if self.jit_start is not None:
                print("%s_server_jit_cpu_s=%.2f" % (self.name, self.cpu.jit_seconds() - self.jit_start))
            if PROBES:
                PROBES.after(self.name)
        return False


def jcmd(pid, *command):
    subprocess.run(["jcmd", str(pid)] + list(command), check=True, stdout=subprocess.DEVNULL)


def message(n):
    body = "".join("Line %d of message %d, a body of some length for the IMAP benchmark.\r\n" % (i, n)
                   for i in range(40))
    return ("From: bench@example.org\r\nTo: user@example.test\r\nSubject: bench message %d\r\n"
            "Message-ID: <bench.%d@example.org>\r\nX-Bench-Group: g%d\r\n"
            "Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n\r\n%s" % (n, n, n % 10, body)).encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls", choices=["none", "starttls"], default="none")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--mailbox", default="Bench")
    parser.add_argument("--cpu-pid", type=int, default=0, help="the server's process, for its CPU time")
    parser.add_argument("--cpu-comm", default="", help="or the names of the server's processes, comma-separated (Dovecot: imap,imap-login)")
    parser.add_argument("--jfr", default="", help="record the read phases of the --cpu-pid JVM into this JFR file")
    parser.add_argument("--each-fetch", action="store_true",
                        help="print every body FETCH's wall-clock window (body<N>_epoch_s=START-END ms=MS)")
    parser.add_argument("--threads", action="store_true",
                        help="per read phase, the --cpu-pid server's threads' CPU and run-queue wait in its window")
    parser.add_argument("--gc", action="store_true",
                        help="per phase, the --cpu-pid JVM's collections and eden; every body FETCH's window")
    parser.add_argument("--alloc", action="store_true", help="per phase, what the --cpu-pid JVM's threads allocated")
    args = parser.parse_args()
    if (args.gc or args.alloc) and not args.cpu_pid:
        parser.error("--gc and --alloc need --cpu-pid")
    if args.gc or args.alloc:
        global PROBES
        PROBES = HeapProbes(args.cpu_pid, args.gc, args.alloc)
    if args.jfr and not args.cpu_pid:
        parser.error("--jfr needs --cpu-pid")
    if args.threads and not args.cpu_pid:
        parser.error("--threads needs --cpu-pid")
    cores_pid = args.cpu_pid if args.threads else 0
    cpu = ServerCpu(args.cpu_pid, args.cpu_comm)

    imap = Imap(args.host, args.port, args.tls)
    imap.command('LOGIN "%s" "%s"' % (args.user, args.password))
    literal_plus = "LITERAL+" in imap.capabilities()
    imap.command("CREATE %s" % args.mailbox)

    with Phase("append", cpu) as phase:
        for n in range(args.messages):
            data = message(n)
            tag = imap.next_tag()
            if literal_plus:
                imap.send(b"%s APPEND %s {%d+}\r\n%s\r\n" % (tag, args.mailbox.encode(), len(data), data))
            else:
                imap.send(b"%s APPEND %s {%d}\r\n" % (tag, args.mailbox.encode(), len(data)))
                if not imap.readline().startswith(b"+"):
                    raise SystemExit("no continuation for APPEND %d" % n)
                imap.send(data + b"\r\n")
            imap.read_until(tag)
    print("append_msgs_per_s=%.1f" % (args.messages / phase.elapsed))
    if args.jfr:
        jcmd(args.cpu_pid, "JFR.start", "name=phases", "settings=profile")

    with Cores("select", cores_pid), Phase("select", cpu):
        lines = imap.command("SELECT %s" % args.mailbox)
    exists = next(int(l.split()[1]) for l in lines if l.endswith(b" EXISTS\r\n"))
    if exists != args.messages:
        raise SystemExit("SELECT says %d messages, %d were appended" % (exists, args.messages))

    with Cores("fetch_all", cores_pid), Phase("fetch_all", cpu) as phase:
        lines = imap.command("FETCH 1:* (UID FLAGS RFC822.SIZE)")
    print("fetch_all_first_line_ms=%.2f" % ((imap.first_line_at - phase.start) * 1000))
    fetched = sum(1 for l in lines if b" FETCH (" in l)
    if fetched != exists:
        raise SystemExit("FETCH 1:* returned %d of %d messages" % (fetched, exists))
    print("fetch_all_messages=%d" % fetched)

    with Cores("uid_search", cores_pid), Phase("uid_search", cpu):
        lines = imap.command("UID SEARCH HEADER X-Bench-Group g7")
    found = sum(len(l.split()) - 2 for l in lines if l.startswith(b"* SEARCH"))
    expected = sum(1 for n in range(args.messages) if n % 10 == 7)
    if found != expected:
        raise SystemExit("UID SEARCH found %d, expected %d" % (found, expected))
    print("uid_search_found=%d" % found)

    bodies = min(100, exists)
    step = max(1, exists // bodies)
    total = 0
    each_ms = []
    windows = []
    with Cores("fetch_bodies", cores_pid), Phase("fetch_bodies", cpu):
        for i in range(bodies):
            sent_at, sent = time.time(), time.monotonic()
            lines = imap.command("FETCH %d (BODY.PEEK[])" % (1 + i * step))
            each_ms.append((time.monotonic() - sent) * 1000)
            windows.append((sent_at, time.time()))
            total += sum(len(l) for l in lines[:-1])
    print("fetch_bodies_bytes=%d" % total)
    # One slow command (a statement compiled, a class loaded) and a slow path look alike in the phase's total.
    ordered = sorted(each_ms)
    print("fetch_bodies_first_ms=%.2f" % each_ms[0])
    print("fetch_bodies_second_ms=%.2f" % each_ms[min(1, len(each_ms) - 1)])
    print("fetch_bodies_median_ms=%.3f" % ordered[len(ordered) // 2])
    print("fetch_bodies_max_ms=%.2f" % ordered[-1])
    if args.gc:
        print("fetch_bodies_over_1ms=%s" % ",".join("%d:%.2f" % (i + 1, ms) for i, ms in enumerate(each_ms) if ms > 1))
    if args.gc or args.each_fetch:
        for i, ((start, end), ms) in enumerate(zip(windows, each_ms)):
            print("body%d_epoch_s=%.4f-%.4f ms=%.2f" % (i + 1, start, end, ms))
    if args.jfr:
        jcmd(args.cpu_pid, "JFR.dump", "name=phases", "filename=" + os.path.abspath(args.jfr))
        jcmd(args.cpu_pid, "JFR.stop", "name=phases")
        print("jfr=%s" % os.path.abspath(args.jfr))
    imap.command("LOGOUT")


if __name__ == "__main__":
    sys.exit(main())
