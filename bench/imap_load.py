#!/usr/bin/env python3
"""IMAP load generator for bench/run-imap.sh: N clients sending a desktop client's command mix.

--profile default (the record's mix since the first session, "modelled on" imaptest): each of N client processes
logs in as its own user, SELECTs INBOX and then, for D seconds, runs a random mix of the commands a mail client sends
(weights below): FETCH of flags and sizes, FETCH of a whole message, STORE of flags, SEARCH, APPEND, EXPUNGE of a message it marked \\Deleted, NOOP. Every command's tagged answer is checked: NO, BAD,
a BYE, a dropped connection or an unparsable reply counts as an error (and the client reconnects). The clients log
in before the measured window (--login-seconds); one that has to log in again, after an error, does so inside it.

--profile imaptest: Dovecot imaptest's default profile as bench/imaptest_profile.py describes it (where each item comes
from in imaptest's source): sessions of LOGIN, LIST, STATUS, SELECT, FETCH of ENVELOPE/BODYSTRUCTURE/header fields
over a random set, single-message FETCHes of headers, text, part 1 or the whole message, STORE, STORE \\Deleted,
EXPUNGE, APPEND and LOGOUT, each connection as a random one of --users users whose mailboxes it keeps near --msgs
messages. The clients run it from the start; what ends inside the window is counted (cmd_<kind>, ms_<kind> its mean
wall time, tolerated_<kind> NOs for messages another session expunged).

Output: key=value lines (commands, commands_per_s, errors, one count per command and per error kind), and the
accounting of the measured window: clients_cpu_s (the N client processes' own CPU: on a small machine they compete
with the server), machine_busy_s / machine_idle_s (all cores, /proc/stat), and with --cpu-pid, --cpu-tree or --cpu-comm
server_cpu_s and server_cpu_ms_per_command; with --cpu-pid also a line per thread group of the server
(server_threads.py), thread_<group>=, with its CPU ms, voluntary context switches (a thread going to sleep: a
hand-off or a wait) and involuntary ones (preempted) per command, and the switches' totals per command.
"""
import argparse
import imaplib
import multiprocessing
import os
import random
import ssl
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imaptest_profile  # noqa: E402  (same folder)
import server_threads  # noqa: E402  (same folder)
from imap_phases import ProcessTreeCpu, ServerCpu  # noqa: E402

MESSAGE = (b"From: load@example.test\r\nTo: {user}\r\nSubject: load test {n}\r\n"
           b"Message-ID: <{n}.{pid}@load.example.test>\r\n\r\n" + b"A line of body text for the load test.\r\n" * 40)

# command -> weight (out of 100), close to imaptest's defaults (FETCH-heavy, some STORE/APPEND/EXPUNGE)
MIX = [("fetch_flags", 30), ("fetch_body", 20), ("store", 20), ("search", 8), ("append", 10), ("expunge", 5),
       ("noop", 7)]


def connect(args, client_class=imaplib.IMAP4):
    if args.tls == "starttls":
        imap = client_class(args.host, args.port, timeout=30)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        imap.starttls(ssl_context=context)
    else:
        imap = client_class(args.host, args.port, timeout=30)
    return imap


def imaptest_client(index, args, deadline, start_at):
    counts, errors, millis, tolerated, cpu = imaptest_profile.Session(index, args, connect, start_at, deadline).run()
    return counts, errors, cpu, millis, tolerated


def client(index, args, deadline, start_at):
    user = args.user_format.format(i=index + 1)
    counts = {name: 0 for name, _ in MIX}
    errors = {}
    rng = random.Random(index)
    names = [name for name, weight in MIX for _ in range(weight)]

    def error(kind):
        errors[kind] = errors.get(kind, 0) + 1

    def log_in():
        imap = connect(args)
        imap.login(user, args.password)
        typ, _ = imap.select("INBOX")
        if typ != "OK":
            error("select_" + typ)
        return imap

    # the first log-in before the measured window (a LOGIN costs the server a password hash, ~0.3-1.6 s of CPU)
    try:
        imap = log_in()
    except (imaplib.IMAP4.error, OSError, ValueError) as e:
        error("login:" + type(e).__name__)
        imap = None
    while time.time() < start_at:
        time.sleep(0.01)
    cpu_at_start = time.process_time()
    while time.time() < deadline:
        try:
            if imap is None:
                imap = log_in()
            exists = int(imap.untagged_responses.get("EXISTS", [b"0"])[-1] or 0)
            name = rng.choice(names)
            if name == "fetch_flags":
                if exists:
                    low = rng.randint(1, exists)
                    typ, _ = imap.fetch("%d:%d" % (low, min(exists, low + 50)), "(UID FLAGS RFC822.SIZE)")
                else:
                    typ, _ = imap.noop()
            elif name == "fetch_body":
                typ, _ = imap.fetch(str(rng.randint(1, exists)), "(BODY.PEEK[])") if exists else imap.noop()
            elif name == "store":
                if exists:
                    flag = rng.choice(["\\Seen", "\\Flagged", "\\Answered", "$Label1"])
                    typ, _ = imap.store(str(rng.randint(1, exists)), rng.choice(["+FLAGS", "-FLAGS"]), flag)
                else:
                    typ, _ = imap.noop()
            elif name == "search":
                typ, _ = imap.search(None, rng.choice(["UNSEEN", "FLAGGED", "SUBJECT \"load\"", "ALL"]))
            elif name == "append":
                body = MESSAGE.replace(b"{user}", user.encode()).replace(b"{n}", str(rng.random()).encode()) \
                    .replace(b"{pid}", str(index).encode())
                typ, _ = imap.append("INBOX", None, None, body)
            elif name == "expunge":
                # only messages this load test added, so the pre-filled mail stays
                if exists > args.keep:
                    typ, _ = imap.store(str(exists), "+FLAGS", "\\Deleted")
                    counts["store"] += 1
                    if typ == "OK":
                        typ, _ = imap.expunge()
                        if typ == "OK":
                            # imaplib keeps the last EXISTS and ignores EXPUNGE: one message fewer now (each client
                            # has its own mailbox, nobody else changes it)
                            imap.untagged_responses["EXISTS"] = [str(exists - 1).encode()]
                else:
                    typ, _ = imap.noop()
            else:
                typ, _ = imap.noop()
            counts[name] += 1
            if typ != "OK":
                error(name + "_" + typ)
        except imaplib.IMAP4.abort as e:
            error("abort")
            imap = None
        except imaplib.IMAP4.error as e:
            # the server's words, so that a protocol error can be told from a refusal
            error("error:" + "".join(c if c.isalnum() else "_" for c in str(e)[:60]))
            try:
                imap.logout()
            except Exception:
                pass
            imap = None
        except (OSError, ValueError) as e:
            error(type(e).__name__)
            imap = None
    if imap is not None:
        try:
            imap.logout()
        except Exception:
            error("logout")
    return counts, errors, time.process_time() - cpu_at_start, {}, {}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls", choices=["none", "starttls"], default="none")
    parser.add_argument("--user-format", default="user{i}@example.test")
    parser.add_argument("--password", required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--profile", choices=["default", "imaptest"], default="default",
                        help="the command mix: this file's own (default) or imaptest's default profile")
    parser.add_argument("--keep", type=int, default=100, help="messages per mailbox EXPUNGE leaves alone (default)")
    parser.add_argument("--users", type=int, default=0,
                        help="imaptest: each connection logs in as a random one of user1..N (default: --clients)")
    parser.add_argument("--msgs", type=int, default=30,
                        help="imaptest: messages its EXPUNGE and APPEND keep each mailbox near (imaptest's msgs=)")
    parser.add_argument("--copybox", default="", help="imaptest: COPY's destination (imaptest's copybox=; none: no COPY)")
    parser.add_argument("--login-seconds", type=float, default=10,
                        help="time for the clients to log in before the measured window starts")
    parser.add_argument("--cpu-pid", type=int, default=0, help="the server's process: its CPU and threads")
    parser.add_argument("--cpu-tree", type=int, default=0,
                        help="or a process and all its descendants, exited ones included (Dovecot's master)")
    parser.add_argument("--cpu-comm", default="", help="or the names of the server's processes, comma-separated")
    args = parser.parse_args()
    args.users = args.users or args.clients
    run_client = imaptest_client if args.profile == "imaptest" else client
    server = ProcessTreeCpu(args.cpu_tree) if args.cpu_tree else ServerCpu(args.cpu_pid, args.cpu_comm)
    start_at = time.time() + args.login_seconds
    deadline = start_at + args.seconds
    with multiprocessing.Pool(args.clients) as pool:
        pending = pool.starmap_async(run_client, [(i, args, deadline, start_at) for i in range(args.clients)])
        time.sleep(max(0.0, start_at - time.time()))
        window = Window(args.cpu_pid, server)
        time.sleep(max(0.0, deadline - time.time()))
        window.close()
        results = pending.get()
    counts, errors, millis, tolerated, clients_cpu = {}, {}, {}, {}, 0.0
    for c, e, cpu, ms, t in results:
        clients_cpu += cpu
        for total, part in ((counts, c), (errors, e), (millis, ms), (tolerated, t)):
            for k, v in part.items():
                total[k] = total.get(k, 0) + v
    total = sum(counts.values())
    print("profile=%s" % args.profile)
    print("load_epoch_s=%.3f-%.3f" % (start_at, deadline))   # the measured window, for bench/jit-log.py
    print("clients=%d" % args.clients)
    print("seconds=%g" % args.seconds)
    print("commands=%d" % total)
    print("commands_per_s=%.0f" % (total / args.seconds))
    print("errors=%d" % sum(errors.values()))
    for k in sorted(counts):
        print("cmd_%s=%d" % (k, counts[k]))
    for k in sorted(millis):
        print("ms_%s=%.2f" % (k, millis[k] / max(counts.get(k, 0), 1)))
    for k in sorted(tolerated):
        print("tolerated_%s=%d" % (k, tolerated[k]))
    for k in sorted(errors):
        print("error_%s=%d" % (k, errors[k]))
    # the clients' CPU in the window (their first log-in, before it, is not counted)
    print("clients_cpu_s=%.2f" % clients_cpu)
    print("clients_cpu_ms_per_command=%.2f" % (1000 * clients_cpu / max(total, 1)))
    window.report(total)


class Window:
    """The server's and the machine's CPU, and the server's threads, over the load's measured window."""

    def __init__(self, pid, server):
        self.pid, self.server = pid, server
        self.machine = server_threads.machine()
        self.cpu = server.seconds()
        self.threads = server_threads.snapshot(pid) if pid else None

    def close(self):
        busy, idle = server_threads.machine()
        self.machine = (busy - self.machine[0], idle - self.machine[1])
        if self.cpu is not None:
            self.cpu = self.server.seconds() - self.cpu
        if self.threads is not None:
            self.threads = server_threads.by_group(self.threads, server_threads.snapshot(self.pid))

    def report(self, commands):
        per = 1000.0 / max(commands, 1)
        print("machine_busy_s=%.2f" % self.machine[0])
        print("machine_idle_s=%.2f" % self.machine[1])
        if self.cpu is None:
            return
        print("server_cpu_s=%.2f" % self.cpu)
        print("server_cpu_ms_per_command=%.3f" % (self.cpu * per))
        if self.threads is None:
            return
        voluntary = involuntary = 0
        for group, (cpu, vol, invol) in sorted(self.threads.items(), key=lambda item: -item[1][0]):
            voluntary += vol
            involuntary += invol
            if cpu > 0 or vol > 0:
                key = "".join(c if c.isalnum() else "_" for c in group)
                print("thread_%s=cpu_ms_per_command %.3f voluntary_switches_per_command %.2f involuntary %.2f"
                      % (key, cpu * per, vol * per / 1000, invol * per / 1000))
        print("server_voluntary_switches_per_command=%.2f" % (voluntary * per / 1000))
        print("server_involuntary_switches_per_command=%.2f" % (involuntary * per / 1000))


if __name__ == "__main__":
    main()
