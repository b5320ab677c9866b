#!/usr/bin/env python3
"""Python imaplib against a live Mailroom IMAP server over implicit TLS.

Usage: imap_session.py session | has-flag SUBJECT FLAG | append SUBJECT
Connection from the environment: IMAP_HOST, IMAP_PORT, IMAP_USER, IMAP_PASSWORD, IMAP_CA (PEM to trust).
Exits non-zero with a message on the first mismatch.
"""
import imaplib
import os
import ssl
import sys
import time


def fail(message):
    print("imaplib: FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def ok(result, what):
    typ, data = result
    check(typ == "OK", "%s answered %s %r" % (what, typ, data))
    return data


def connect():
    context = ssl.create_default_context(cafile=os.environ["IMAP_CA"])
    imap = imaplib.IMAP4_SSL(os.environ["IMAP_HOST"], int(os.environ["IMAP_PORT"]), ssl_context=context, timeout=30)
    ok(imap.login(os.environ["IMAP_USER"], os.environ["IMAP_PASSWORD"]), "LOGIN")
    return imap


def message(subject, body="Hello from imaplib.\r\n"):
    return ("From: Python <python@example.org>\r\nTo: %s\r\nSubject: %s\r\n"
            "Message-ID: <%s@example.org>\r\n\r\n%s" % (os.environ["IMAP_USER"], subject,
                                                      subject.replace(" ", "-"), body)).encode()


def uid_of(imap, subject):
    data = ok(imap.uid("SEARCH", None, "SUBJECT", '"%s"' % subject), "UID SEARCH SUBJECT")
    uids = data[0].split()
    check(len(uids) == 1, "UID SEARCH SUBJECT %r found %r" % (subject, uids))
    return uids[0].decode()


def session():
    imap = connect()
    caps = imap.capabilities
    for cap in ("IMAP4REV1", "IDLE", "MOVE", "UIDPLUS", "CONDSTORE"):
        check(cap in caps, "capability %s missing from %r" % (cap, caps))

    names = b"\n".join(ok(imap.list(), "LIST"))
    for name in (b'"INBOX"', b'"Sent"', b'"Trash"', b'"Archive"', b'"Spam"'):
        check(name in names, "LIST lacks %r: %r" % (name, names))

    data = ok(imap.select("INBOX"), "SELECT INBOX")
    check(data[0] == b"0", "INBOX not empty at start: %r" % data)

    date = imaplib.Time2Internaldate(time.time())
    ok(imap.append("INBOX", "(\\Seen)", date, message("Python hello", "First line.\r\nzebra stripes\r\n")), "APPEND 1")
    ok(imap.append("INBOX", None, date, message("To be deleted")), "APPEND 2")
    ok(imap.append("INBOX", None, date, message("For mbsync")), "APPEND 3")
    ok(imap.noop(), "NOOP")

    data = ok(imap.select("INBOX"), "SELECT INBOX again")
    check(data[0] == b"3", "INBOX should hold 3 messages, SELECT says %r" % data)

    found = ok(imap.search(None, "TEXT", "zebra"), "SEARCH TEXT")
    check(found[0] == b"1", "SEARCH TEXT zebra: %r" % found)
    found = ok(imap.search(None, "UNSEEN"), "SEARCH UNSEEN")
    check(found[0] == b"2 3", "SEARCH UNSEEN: %r" % found)
    found = ok(imap.search(None, "FROM", "python@example.org", "NOT", "1"), "SEARCH FROM NOT")
    check(found[0] == b"2 3", "SEARCH FROM python NOT 1: %r" % found)

    data = ok(imap.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)] RFC822.SIZE)"), "FETCH header")
    check(b"Subject: Python hello" in data[0][1], "FETCH header fields: %r" % data)
    # imaptest's FETCH and FETCH2 items, answered from the rows and each message's kept parse (ParsedItemsFetch):
    # twice, parsed then kept, one response per message in James's item order
    for attempt in (1, 2):
        data = ok(imap.fetch("1:3", "(UID FLAGS ENVELOPE BODYSTRUCTURE)"), "FETCH ENVELOPE BODYSTRUCTURE")
        lines = [d for d in data if d != b")"]
        check(len(lines) == 3, "FETCH 1:3 ENVELOPE BODYSTRUCTURE: %r" % data)
        envelope = b'\\Seen) ENVELOPE (NIL "Python hello" (("Python" NIL "python" "example.org"))'
        check(lines[0].startswith(b"1 (FLAGS (") and envelope in lines[0]
              and b' BODYSTRUCTURE ("TEXT" "PLAIN" ' in lines[0]
              and lines[0].endswith(b" UID 1)") and lines[2].endswith(b" UID 3)"),
              "FETCH ENVELOPE BODYSTRUCTURE (attempt %d): %r" % (attempt, lines[0]))
        data = ok(imap.fetch("2", "(UID RFC822.HEADER)"), "FETCH RFC822.HEADER")
        check(data[0][0].startswith(b"2 (UID 2 RFC822.HEADER {") and data[0][1].startswith(b"From: Python")
              and data[0][1].endswith(b"Message-ID: <To-be-deleted@example.org>\r\n\r\n"),
              "FETCH RFC822.HEADER: %r" % data)
    data = ok(imap.fetch("1", "(BODY.PEEK[TEXT])"), "FETCH text")
    check(data[0][1] == b"First line.\r\nzebra stripes\r\n", "FETCH BODY[TEXT]: %r" % data)

    ok(imap.store("1", "+FLAGS", "(\\Flagged $Important)"), "STORE +FLAGS")
    data = ok(imap.fetch("1", "(FLAGS)"), "FETCH FLAGS")
    flags = data[0]
    for flag in (b"\\Seen", b"\\Flagged", b"$Important"):
        check(flag in flags, "flag %r missing: %r" % (flag, flags))
    ok(imap.store("1", "-FLAGS", "($Important)"), "STORE -FLAGS")
    data = ok(imap.fetch("1", "(FLAGS)"), "FETCH FLAGS after -FLAGS")
    check(b"$Important" not in data[0], "$Important still set: %r" % data)

    typ, data = imap.copy("1", "Archive")
    check(typ == "OK", "COPY: %s %r" % (typ, data))
    status = ok(imap.status("Archive", "(MESSAGES)"), "STATUS Archive")
    check(b"MESSAGES 1" in status[0], "Archive after COPY: %r" % status)

    ok(imap.store("2", "+FLAGS", "(\\Deleted)"), "STORE \\Deleted")
    expunged = ok(imap.expunge(), "EXPUNGE")
    check(expunged == [b"2"], "EXPUNGE answered %r" % expunged)
    data = ok(imap.select("INBOX", readonly=True), "EXAMINE INBOX")
    check(data[0] == b"2", "INBOX should hold 2 messages after EXPUNGE: %r" % data)
    ok(imap.close(), "CLOSE")
    typ, _ = imap.logout()
    check(typ == "BYE", "LOGOUT answered %s" % typ)
    print("imaplib: session OK")


def has_flag(subject, flag):
    imap = connect()
    ok(imap.select("INBOX", readonly=True), "EXAMINE INBOX")
    uid = uid_of(imap, subject)
    data = ok(imap.uid("FETCH", uid, "(FLAGS)"), "UID FETCH FLAGS")
    check(flag.encode() in data[0], "message %r lacks %s on the server: %r" % (subject, flag, data))
    imap.logout()
    print("imaplib: %r has %s" % (subject, flag))


def append(subject):
    imap = connect()
    ok(imap.append("INBOX", None, None, message(subject)), "APPEND")
    imap.logout()
    print("imaplib: appended %r" % subject)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "session"
    if command == "session":
        session()
    elif command == "has-flag":
        has_flag(sys.argv[2], sys.argv[3])
    elif command == "append":
        append(sys.argv[2])
    else:
        fail("unknown command " + command)
