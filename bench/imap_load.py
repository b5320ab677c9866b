#!/usr/bin/env python3
"""IMAP load generator for bench/run-imap.sh, modelled on imaptest's default profile.

Each of N client processes logs in as its own user, SELECTs INBOX and then, for D seconds, runs a random mix of the
commands a mail client sends (weights below): FETCH of flags and sizes, FETCH of a whole message, STORE of flags,
SEARCH, APPEND, EXPUNGE of a message it marked \\Deleted, NOOP. Every command's tagged answer is checked: NO, BAD,
a BYE, a dropped connection or an unparsable reply counts as an error (and the client reconnects).

Output: key=value lines (commands, commands_per_s, errors, one count per command and per error kind).
"""
import argparse
import imaplib
import multiprocessing
import random
import ssl
import time

MESSAGE = (b"From: load@example.test\r\nTo: {user}\r\nSubject: load test {n}\r\n"
           b"Message-ID: <{n}.{pid}@load.example.test>\r\n\r\n" + b"A line of body text for the load test.\r\n" * 40)

# command -> weight (out of 100), close to imaptest's defaults (FETCH-heavy, some STORE/APPEND/EXPUNGE)
MIX = [("fetch_flags", 30), ("fetch_body", 20), ("store", 20), ("search", 8), ("append", 10), ("expunge", 5),
       ("noop", 7)]


def connect(args):
    if args.tls == "starttls":
        imap = imaplib.IMAP4(args.host, args.port, timeout=30)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        imap.starttls(ssl_context=context)
    else:
        imap = imaplib.IMAP4(args.host, args.port, timeout=30)
    return imap


def client(index, args, deadline, start_at):
    user = args.user_format.format(i=index + 1)
    counts = {name: 0 for name, _ in MIX}
    errors = {}
    rng = random.Random(index)
    names = [name for name, weight in MIX for _ in range(weight)]

    def error(kind):
        errors[kind] = errors.get(kind, 0) + 1

    imap = None
    while time.time() < start_at:
        time.sleep(0.01)
    while time.time() < deadline:
        try:
            if imap is None:
                imap = connect(args)
                imap.login(user, args.password)
                typ, data = imap.select("INBOX")
                if typ != "OK":
                    error("select_" + typ)
                    continue
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
    return counts, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls", choices=["none", "starttls"], default="none")
    parser.add_argument("--user-format", default="user{i}@example.test")
    parser.add_argument("--password", required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--keep", type=int, default=100, help="messages per mailbox EXPUNGE leaves alone")
    args = parser.parse_args()
    start_at = time.time() + 2
    deadline = start_at + args.seconds
    with multiprocessing.Pool(args.clients) as pool:
        results = pool.starmap(client, [(i, args, deadline, start_at) for i in range(args.clients)])
    counts, errors = {}, {}
    for c, e in results:
        for k, v in c.items():
            counts[k] = counts.get(k, 0) + v
        for k, v in e.items():
            errors[k] = errors.get(k, 0) + v
    total = sum(counts.values())
    print("clients=%d" % args.clients)
    print("seconds=%g" % args.seconds)
    print("commands=%d" % total)
    print("commands_per_s=%.0f" % (total / args.seconds))
    print("errors=%d" % sum(errors.values()))
    for k in sorted(counts):
        print("cmd_%s=%d" % (k, counts[k]))
    for k in sorted(errors):
        print("error_%s=%d" % (k, errors[k]))


if __name__ == "__main__":
    main()
