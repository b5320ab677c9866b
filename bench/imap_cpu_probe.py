#!/usr/bin/env python3
"""Server CPU per IMAP command, for bench/run-imap-cpu.sh (or any running server whose process id is known; for
Dovecot, --cpu-tree with its master's process id counts every process of it, those that have exited included).

One connection (STARTTLS when asked) logs in once, fills a mailbox with --messages small messages (each with an
`X-Bench-Group: g0..g9` header) unless it already holds them, SELECTs it, runs every command --warmup times
unmeasured and then --repeat times, reading the server's CPU time (user + system, from /proc/PID/stat) before and after each
command's repetitions. Connection set-up is measured the same way over fresh connections: STARTTLS alone and
STARTTLS + LOGIN (the second shows what a LOGIN costs beyond TLS; with an authentication cache, a repeated one).

Output: one `cpu_ms_<command>=<server CPU ms per command>` line per command, `jit_ms_<command>=...` (the part of
it spent by the JVM's JIT compiler threads), `wall_ms_<command>=...`, and `switches_<command>=group:count ...`: the
server's voluntary context switches per command by thread group (server_threads.py), those with 0.05 or more,
compiler threads left out. A thread going to sleep is a switch: each thread hand-off of the command costs one or two,
a wait for the disk or a lock one. Threads that wake on a timer (the outbound queue's poller, the JVM's periodic
task, the HTTP listener) count per second, not per command: compare the command's own groups (`boundedElastic`,
`blocking-call-wrapper`, `mailroom-imap-s*`, `jvm-path-locker`, `mailroom-learning`). CPU time
says more than wall time on a machine shared with other work; /proc counts in ticks of 10 ms, so a command is
repeated until its total is well above that, after as many unmeasured repetitions (the JIT compiles meanwhile, and
its threads count as the server's CPU). A hundred warm-up repetitions do not finish that: the JVM still interprets
or compiles much of a command's code, which then costs several times its compiled cost; `--warmup 1500` measures
the compiled steady state (bench/README.md, "Per-command cost: ...").
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imap_phases import Imap, ProcessTreeCpu, ServerCpu, message  # noqa: E402  (same folder)
import server_threads  # noqa: E402  (same folder)

# An APPEND of a small message with LITERAL+ (the mixed load's), in one write; it grows the probed mailbox.
APPEND_MESSAGE = ("From: load@example.test\r\nTo: probe@example.test\r\nSubject: probe append\r\n\r\n"
                  + "A line of body text for the load test.\r\n" * 40)

# (name, command); {n} is a message number spread over the mailbox, {m} the mailbox.
COMMANDS = [
    ("noop", "NOOP"),
    ("fetch_20_flags", "FETCH 1:20 (UID FLAGS RFC822.SIZE)"),
    ("fetch_all_flags", "FETCH 1:* (UID FLAGS RFC822.SIZE)"),
    ("fetch_body", "FETCH {n} (BODY.PEEK[])"),
    ("fetch_envelope", "FETCH {n} (ENVELOPE BODYSTRUCTURE)"),
    ("store", "STORE {n} {sign}FLAGS (\\Flagged)"),
    ("store_seen", "STORE {n} {sign}FLAGS (\\Seen)"),
    ("store_answered", "STORE {n} {sign}FLAGS (\\Answered)"),
    ("store_keyword", "STORE {n} {sign}FLAGS ($Label1)"),
    ("search_unseen", "SEARCH UNSEEN"),
    ("search_flagged", "SEARCH FLAGGED"),
    ("search_all", "SEARCH ALL"),
    ("uid_search_header", "UID SEARCH HEADER X-Bench-Group g7"),
    ("search_subject", "SEARCH SUBJECT \"message 7\""),
    ("status", "STATUS {m} (MESSAGES UNSEEN UIDNEXT)"),
    ("select", "SELECT {m}"),
    ("append_small", "APPEND {m} {{%d+}}\r\n%s" % (len(APPEND_MESSAGE), APPEND_MESSAGE)),
    # the mixed load's expunge, on a message appended for it so the mailbox keeps its size: one figure per cycle of
    # three commands (APPEND, STORE +\Deleted of the last message, EXPUNGE); less append_small's gives the other two
    ("append_delete_expunge", ["APPEND {m} {{%d+}}\r\n%s" % (len(APPEND_MESSAGE), APPEND_MESSAGE),
                               "STORE * +FLAGS (\\Deleted)", "EXPUNGE"]),
]

# imaptest's default profile (bench/imaptest_profile.py): its FETCH's items over 30 messages (the size its mailboxes
# keep), its FETCH2's single-message sections, LIST, its STATUS and its SELECT. Run only when named in --only, so that
# a run of every command measures what it did before (SELECT ... (CONDSTORE) turns CONDSTORE on for what follows).
IMAPTEST_COMMANDS = [
    ("fetch_30_envelope", "FETCH 1:30 (ENVELOPE)"),
    ("fetch_30_bodystructure", "FETCH 1:30 (BODYSTRUCTURE)"),
    ("fetch_30_body", "FETCH 1:30 (BODY)"),
    ("fetch_30_internaldate", "FETCH 1:30 (INTERNALDATE)"),
    ("fetch_30_header_fields", "FETCH 1:30 (BODY.PEEK[HEADER.FIELDS (From Subject Message-ID)])"),
    ("fetch_header", "FETCH {n} (UID BODY.PEEK[HEADER])"),
    ("fetch_rfc822_header", "FETCH {n} (UID RFC822.HEADER)"),
    ("fetch_part1", "FETCH {n} (UID BODY.PEEK[1])"),
    ("fetch_text", "FETCH {n} (UID BODY.PEEK[TEXT])"),
    ("fetch_uid_body", "FETCH {n} (UID BODY.PEEK[])"),
    ("list", "LIST \"\" *"),
    ("status_imaptest", "STATUS {m} (MESSAGES UNSEEN RECENT)"),
    ("select_condstore", "SELECT {m} (CONDSTORE)"),
]


def connect(args):
    return Imap(args.host, args.port, args.tls)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls", choices=["none", "starttls"], default="starttls")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--cpu-pid", type=int, default=0, help="the server's process")
    parser.add_argument("--cpu-tree", type=int, default=0,
                        help="or a process and all its descendants, exited ones included (Dovecot's master)")
    parser.add_argument("--cpu-comm", default="",
                        help="or the names of the server's processes, comma-separated (Dovecot: imap,imap-login)")
    parser.add_argument("--mailbox", default="Probe")
    parser.add_argument("--messages", type=int, default=300, help="messages in the probed mailbox")
    parser.add_argument("--repeat", type=int, default=50, help="repetitions of each command")
    parser.add_argument("--warmup", type=int, default=-1,
                        help="unmeasured repetitions of each command first, for the JIT (default: --repeat)")
    parser.add_argument("--connections", type=int, default=10, help="fresh connections for the set-up figures")
    parser.add_argument("--only", default="", help="comma-separated command names to run (default: all)")
    parser.add_argument("--skip-fill", action="store_true", help="the mailbox is already filled")
    args = parser.parse_args()
    if not args.cpu_pid and not args.cpu_comm and not args.cpu_tree:
        parser.error("--cpu-pid, --cpu-tree or --cpu-comm is required")
    cpu = ProcessTreeCpu(args.cpu_tree) if args.cpu_tree else ServerCpu(args.cpu_pid, args.cpu_comm)
    only = set(filter(None, args.only.split(",")))

    def report(name, start, wall_start, count):
        cpu_start, jit_start, threads_start = start
        cpu_ms = (cpu.seconds() - cpu_start) * 1000 / count
        wall_ms = (time.monotonic() - wall_start) * 1000 / count
        print("cpu_ms_%s=%.2f" % (name, cpu_ms))
        if jit_start is not None:
            # the JIT compiler threads' part of cpu_ms: code still being compiled, not the command's own work
            print("jit_ms_%s=%.2f" % (name, (cpu.jit_seconds() - jit_start) * 1000 / count))
        print("wall_ms_%s=%.2f" % (name, wall_ms))
        if threads_start is None:
            sys.stdout.flush()
            return
        groups = server_threads.by_group(threads_start, server_threads.snapshot(args.cpu_pid))
        switches = {group: entry[1] / count for group, entry in groups.items() if "Compiler" not in group}
        print("switches_%s=%s" % (name, " ".join(
            "%s:%.2f" % (group, n) for group, n in sorted(switches.items(), key=lambda item: -item[1]) if n >= 0.05)))
        sys.stdout.flush()

    def cpu_now():
        return cpu.seconds(), cpu.jit_seconds(), server_threads.snapshot(args.cpu_pid) if args.cpu_pid else None

    imap = connect(args)
    imap.command('LOGIN "%s" "%s"' % (args.user, args.password))
    literal_plus = "LITERAL+" in imap.capabilities()

    def append(n):
        data = message(n)
        tag = imap.next_tag()
        box = args.mailbox.encode()
        if literal_plus:
            imap.send(b"%s APPEND %s {%d+}\r\n%s\r\n" % (tag, box, len(data), data))
        else:
            imap.send(b"%s APPEND %s {%d}\r\n" % (tag, box, len(data)))
            if not imap.readline().startswith(b"+"):
                raise SystemExit("no continuation for APPEND %d" % n)
            imap.send(data + b"\r\n")
        imap.read_until(tag)

    exists = 0
    if not args.skip_fill:
        try:
            lines = imap.command("STATUS %s (MESSAGES)" % args.mailbox)
            exists = int(lines[0].split(b"MESSAGES ")[1].split(b")")[0])
        except SystemExit:
            imap.command("CREATE %s" % args.mailbox)
        # APPEND: the first ones warm up, the rest are measured
        warm = min(20, max(0, args.messages - exists))
        for n in range(exists, exists + warm):
            append(n)
        exists += warm
        if exists < args.messages:
            count = args.messages - exists
            c0, w0 = cpu_now(), time.monotonic()
            for n in range(exists, args.messages):
                append(n)
            report("append", c0, w0, count)

    lines = imap.command("SELECT %s" % args.mailbox)
    exists = next(int(l.split()[1]) for l in lines if l.endswith(b" EXISTS\r\n"))
    step = max(1, exists // args.repeat)

    def run(name, text, i):
        for part in text if isinstance(text, list) else [text]:
            imap.command(part.format(n=1 + (i * step) % exists, m=args.mailbox, sign="+" if i % 2 == 0 else "-"))

    selected = [(name, text) for name, text in COMMANDS + IMAPTEST_COMMANDS
                if name in only or (not only and (name, text) in COMMANDS)]
    warmup = args.repeat if args.warmup < 0 else args.warmup
    for name, text in selected:  # warm-up round (JIT, caches): its CPU is not counted
        for i in range(warmup):
            run(name, text, i)
    for name, text in selected:
        c0, w0 = cpu_now(), time.monotonic()
        for i in range(args.repeat):
            run(name, text, i)
        report(name, c0, w0, args.repeat)
    imap.command("LOGOUT")

    if not only or "connect_starttls" in only or "connect_login" in only:
        for name, login in (("connect_starttls", False), ("connect_login", True)):
            c0, w0 = cpu_now(), time.monotonic()
            for _ in range(args.connections):
                session = connect(args)
                if login:
                    session.command('LOGIN "%s" "%s"' % (args.user, args.password))
                session.command("LOGOUT")
            report(name, c0, w0, args.connections)


if __name__ == "__main__":
    sys.exit(main())
