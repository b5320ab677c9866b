#!/usr/bin/env python3
"""FETCH 1:* (UID FLAGS RFC822.SIZE) of a large mailbox, repeated on one session, for bench/run-imap-cpu.sh --fetch-all.

Over one STARTTLS connection: APPEND --messages messages into a new mailbox (imap_phases.py's messages, one at a time),
SELECT it, then send the FETCH --repeat times, one after the other. Per FETCH it takes the time from sending to the
first decrypted bytes and to the tagged OK, how the answer arrived (decrypted reads: the TLS records' payloads, since
Python's ssl returns at most one record per read), and the CPU time each of the server's threads spent in it, from
/proc/PID/task/*/schedstat (nanoseconds, unlike the 10 ms ticks of /proc's stat), summed by thread group as
server_threads.py groups them. The client only reads here (no line parsing), so what it measures is the server.

Output (key=value): fetch1_* for the first FETCH (the one bench/imap_phases.py times on a fresh server), then for the
FETCHes after the first --skip (default 10): medians and quartiles of the server's CPU per FETCH by thread group
(warm_cpu_ms_<group>), of the wall times, and the record sizes of the last FETCH (records=SIZExCOUNT,...).
With --verbose one line per FETCH.
"""
import argparse
import collections
import os
import re
import socket
import ssl
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imap_phases import message  # noqa: E402  the same messages as the phases

_TRAILING_NUMBER = re.compile(r"[-#\s\d]+$")


def thread_ns(pid):
    """{thread id: (group, CPU ns)} of the process's threads now."""
    threads = {}
    task_dir = "/proc/%d/task" % pid
    for task in os.listdir(task_dir):
        try:
            with open("%s/%s/comm" % (task_dir, task)) as f:
                name = f.read().strip()
            with open("%s/%s/schedstat" % (task_dir, task)) as f:
                ns = int(f.read().split()[0])
        except OSError:
            continue
        threads[task] = (_TRAILING_NUMBER.sub("", name) or name, ns)
    return threads


def cpu_ms_by_group(before, after):
    groups = collections.Counter()
    for task, (group, ns) in after.items():
        groups[group] += (ns - before.get(task, (group, 0))[1]) / 1e6
    return groups


class Imap:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=600)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")
        self.tag = 0
        self.file.readline()
        self.command("STARTTLS")
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        self.sock = context.wrap_socket(self.sock)
        self.file = self.sock.makefile("rb")

    def next_tag(self):
        self.tag += 1
        return b"f%d" % self.tag

    def command(self, text):
        tag = self.next_tag()
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        while True:
            line = self.file.readline()
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise SystemExit("failed: %r" % line)
                return

    def fetch_all(self):
        """Sends the FETCH and reads its answer whole: (first read s, OK s, answer bytes, read sizes)."""
        tag = self.next_tag()
        sent = time.perf_counter()
        self.sock.sendall(tag + b" FETCH 1:* (UID FLAGS RFC822.SIZE)\r\n")
        chunks, sizes, first, end = [], [], None, b"\r\n" + tag + b" "
        while True:
            data = self.sock.recv(65536)
            if not data:
                raise SystemExit("connection closed by the server")
            if first is None:
                first = time.perf_counter() - sent
            chunks.append(data)
            sizes.append(len(data))
            if data.endswith(b"\r\n") and end in b"".join(chunks[-2:])[-300:]:
                return first, time.perf_counter() - sent, b"".join(chunks), sizes


def quartiles(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 4], statistics.median(ordered), ordered[3 * len(ordered) // 4]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--cpu-pid", type=int, required=True)
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--skip", type=int, default=10)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    imap = Imap(args.port)
    imap.command('LOGIN "%s" "%s"' % (args.user, args.password))
    imap.command("CREATE Rows")
    for n in range(args.messages):
        data = message(n)
        tag = imap.next_tag()
        imap.sock.sendall(b"%s APPEND Rows {%d+}\r\n%s\r\n" % (tag, len(data), data))
        while not imap.file.readline().startswith(tag + b" "):
            pass
    imap.command("SELECT Rows")

    runs = []
    for r in range(args.repeat):
        before = thread_ns(args.cpu_pid)
        first, ok, answer, sizes = imap.fetch_all()
        cpu = cpu_ms_by_group(before, thread_ns(args.cpu_pid))
        lines = answer.count(b" FETCH (")
        if lines != args.messages:
            raise SystemExit("FETCH %d answered %d of %d messages" % (r + 1, lines, args.messages))
        runs.append((first * 1e3, ok * 1e3, cpu, sizes))
        if args.verbose:
            print("fetch%d first_ms=%.2f ok_ms=%.2f reads=%d cpu_ms=%s" % (r + 1, first * 1e3, ok * 1e3, len(sizes),
                  {g: round(v, 2) for g, v in cpu.most_common(6) if v >= 0.05}))

    first, ok, cpu, sizes = runs[0]
    print("fetch1_first_ms=%.2f" % first)
    print("fetch1_ok_ms=%.2f" % ok)
    for group, ms in cpu.most_common(6):
        print("fetch1_cpu_ms_%s=%.2f" % (group.replace(" ", "_"), ms))
    warm = runs[args.skip:] if len(runs) > args.skip else runs[1:]
    if warm:
        print("warm_fetches=%d" % len(warm))
        for key, index in (("first_ms", 0), ("ok_ms", 1)):
            print("warm_%s=%.2f (quartiles %.2f-%.2f)" % ((key,) + tuple(quartiles([w[index] for w in warm])[i] for i in (1, 0, 2))))
        groups = set().union(*(w[2].keys() for w in warm))
        for group in sorted(groups, key=lambda g: -sum(w[2][g] for w in warm)):
            low, mid, high = quartiles([w[2][group] for w in warm])
            if mid >= 0.05:
                print("warm_cpu_ms_%s=%.2f (quartiles %.2f-%.2f)" % (group.replace(" ", "_"), mid, low, high))
    records = collections.Counter(runs[-1][3])
    print("records=" + ",".join("%dx%d" % (size, count) for size, count in records.most_common(6))
          + " reads=%d bytes=%d" % (len(runs[-1][3]), sum(runs[-1][3])))


if __name__ == "__main__":
    main()
