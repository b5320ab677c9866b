"""The command mix of Dovecot's imaptest in its default profile, for bench/imap_load.py --profile imaptest.

imaptest (github.com/dovecot/imaptest) is the stress client others measure IMAP servers with; Debian does not package
it, so this re-creates what it sends from a reading of its source (written here, not copied): the states and default
probabilities of `src/client-state.c` (`states[]`), the commands of `client_plan_send_next_cmd()` there, the
sequential walk of `client_update_plan()`/`client_get_next_state()` (imaptest's default: no `random`), the flag
choice of `mailbox_view_get_random_flags()` (`src/mailbox.c`) and the defaults of `src/settings.h` (10 clients,
`msgs=30`: the message count its EXPUNGE and APPEND keep each mailbox near).

One session of a client, each state taken with its probability, in this order:

    LOGIN 100 %    LOGIN "user" "pass"; each connection picks its user at random (imaptest's users=N template)
    LIST 50 %      LIST "" *
    STATUS 50 %    STATUS "INBOX" (MESSAGES UNSEEN RECENT)
    SELECT 100 %   SELECT "INBOX" (CONDSTORE) (the parameter when the server announces CONDSTORE)
    FETCH 100 %    FETCH <min(msgs,100) random sequence numbers as a set> (<1-4 items>): each item with 3/4 one of
                   UID FLAGS ENVELOPE INTERNALDATE BODY BODYSTRUCTURE RFC822.SIZE, with 1/4
                   BODY.PEEK[HEADER.FIELDS (<1-4 of From To Cc Subject References In-Reply-To Message-ID
                   Delivered-To>)] (repeats allowed, as imaptest)
    FETCH2 100 %   FETCH <n> (UID <one of BODY.PEEK[HEADER] RFC822.HEADER BODY.PEEK[] BODY.PEEK[1] BODY.PEEK[TEXT]>),
                   again with 30 % after each
    COPY 33 %      COPY n:n+k BOX (k <= 5), again 5 %: only with a destination (imaptest's copybox=; off by default)
    STORE 50 %     STORE <rand % min(msgs/5, 50) random messages> [+|-]FLAGS[.SILENT] (<flags>): + , - or a
                   replacement a third each, .SILENT half the time; \\Answered \\Flagged \\Seen \\Draft each with 1/2,
                   $Label1..$Label5 each with 1/4
    DELETE 100 %   STORE <rand % (msgs - 30) random messages, or rand % 5 near 30> +FLAGS[.SILENT] \\Deleted
    EXPUNGE 100 %  EXPUNGE
    APPEND 100 %   APPEND "INBOX" [(<flags> half the time)] [<date> half the time] {message}, only while the mailbox
                   holds fewer than msgs messages; again 5 %
    LOGOUT 100 %   LOGOUT (a BYE is required), then a new connection and session

A command whose message set would be empty is not sent, as in imaptest; so are the SELECTED-state commands of an
empty mailbox. imaptest's default pipelines; run-imap.sh runs it with `no_pipelining`, which is what one imaplib
client does. Tolerated as imaptest does: a NO to FETCH or STORE that names expunged messages (another session of
the same user expunged them) and a NO [TRYCREATE] to COPY (the box is created); every other NO, a BAD, a missing
BYE or a dropped connection is an error, and the client starts a new session.
"""
import imaplib
import random
import time

# (state, probability %, probability % of doing it again), in imaptest's order; states of probability 0 are left out
STATES = [("list", 50, 0), ("status", 50, 0), ("select", 100, 0), ("fetch", 100, 0), ("fetch2", 100, 30),
          ("copy", 33, 5), ("store", 50, 0), ("delete", 100, 0), ("expunge", 100, 0), ("append", 100, 5),
          ("logout", 100, 0)]
KINDS = ["login"] + [name for name, _, _ in STATES]

FETCH_ITEMS = ["UID", "FLAGS", "ENVELOPE", "INTERNALDATE", "BODY", "BODYSTRUCTURE", "RFC822.SIZE"]
HEADER_FIELDS = ["From", "To", "Cc", "Subject", "References", "In-Reply-To", "Message-ID", "Delivered-To"]
FETCH2_ITEMS = ["BODY.PEEK[HEADER]", "RFC822.HEADER", "BODY.PEEK[]", "BODY.PEEK[1]", "BODY.PEEK[TEXT]"]
SYSTEM_FLAGS = ["\\Answered", "\\Flagged", "\\Seen", "\\Draft"]
KEYWORDS = ["$Label1", "$Label2", "$Label3", "$Label4", "$Label5"]

# What imaptest APPENDs comes from an mbox of real mail; this stands for one: a reply with a text part and a small
# attachment, so that ENVELOPE, BODYSTRUCTURE, BODY.PEEK[1] and the header fields have something to say.
APPEND_MESSAGE = (
    "Return-Path: <alice@example.org>\r\n"
    "Delivered-To: {user}\r\n"
    "From: Alice Example <alice@example.org>\r\n"
    "To: {user}\r\n"
    "Cc: Bob <bob@example.net>, carol@example.com\r\n"
    "Subject: Re: the minutes of meeting {n}\r\n"
    "Date: Mon, 30 Nov 2026 10:{minute:02d}:00 +0100\r\n"
    "Message-ID: <{n}.{client}@mail.example.org>\r\n"
    "In-Reply-To: <prev.{n}@mail.example.org>\r\n"
    "References: <first.{n}@mail.example.org> <prev.{n}@mail.example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"=-b{n}\"\r\n"
    "\r\n"
    "--=-b{n}\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    + "Thanks, the minutes look right to me; two small corrections are in the attached notes.\r\n" * 12 +
    "\r\n--=-b{n}\r\n"
    "Content-Type: text/plain; name=\"notes.txt\"\r\n"
    "Content-Disposition: attachment; filename=\"notes.txt\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    + "VGhlIHNlY29uZCBwb2ludCBzaG91bGQgcmVhZCAnbmV4dCBUdWVzZGF5Jy4gVGhlIHRoaXJkIGlzIGZpbmUuCg==\r\n" * 6 +
    "\r\n--=-b{n}--\r\n")


class TrackingImap(imaplib.IMAP4):
    """imaplib's client counting the selected mailbox's messages from EXISTS and EXPUNGE in the order they come
    (imaplib keeps only the last of each kind); its untagged lists are dropped after each command."""

    messages = 0

    def _append_untagged(self, typ, dat):
        if typ == "EXISTS":
            self.messages = int(dat)
        elif typ == "EXPUNGE":
            self.messages -= 1
        super()._append_untagged(typ, dat)


def message_set(rng, messages, count):
    """imaptest's random message set: count picks (with repeats) among 1..messages, as sorted ranges."""
    seqs = sorted({rng.randint(1, messages) for _ in range(count)})
    ranges, start, prev = [], None, None
    for seq in seqs:
        if start is None:
            start = prev = seq
        elif seq == prev + 1:
            prev = seq
        else:
            ranges.append((start, prev))
            start = prev = seq
    if start is not None:
        ranges.append((start, prev))
    return ",".join(str(a) if a == b else "%d:%d" % (a, b) for a, b in ranges)


def random_flags(rng):
    flags = [flag for flag in SYSTEM_FLAGS if rng.randrange(2) == 0]
    return " ".join(flags + [keyword for keyword in KEYWORDS if rng.randrange(4) == 0])


def fetch_items(rng):
    items = []
    for _ in range(rng.randint(1, 4)):
        if rng.randrange(4) != 0:
            items.append(rng.choice(FETCH_ITEMS))
        else:
            fields = " ".join(rng.choice(HEADER_FIELDS) for _ in range(rng.randint(1, 4)))
            items.append("BODY.PEEK[HEADER.FIELDS (%s)]" % fields)
    return " ".join(items)


def expunge_refusal(typ, data):
    return typ == "NO" and any(b"expunge" in (d or b"").lower() for d in data if isinstance(d, bytes))


class Session:
    """One client's sessions, one after the other, until the deadline; counts what ends inside the window."""

    def __init__(self, index, args, connect, start_at, deadline):
        self.index, self.args, self.connect = index, args, connect
        self.start_at, self.deadline = start_at, deadline
        self.rng = random.Random(index)
        self.counts = {kind: 0 for kind in KINDS}
        self.millis = {kind: 0.0 for kind in KINDS}
        self.tolerated = {}
        self.errors = {}
        self.appended = 0
        self.cpu_at_start = None

    def error(self, kind):
        if time.time() >= self.start_at:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    def timed(self, kind, call):
        began = time.time()
        if self.cpu_at_start is None and began >= self.start_at:
            self.cpu_at_start = time.process_time()
        typ, data = call()
        if began >= self.start_at and time.time() < self.deadline:
            self.counts[kind] += 1
            self.millis[kind] += (time.time() - began) * 1000
        return typ, data

    def check(self, kind, typ, data, imap):
        if typ == "OK":
            return
        if kind in ("fetch", "fetch2", "store", "delete") and expunge_refusal(typ, data):
            if time.time() >= self.start_at:
                self.tolerated[kind] = self.tolerated.get(kind, 0) + 1
            return
        raise imaplib.IMAP4.error("%s %s %s" % (kind, typ, data))

    def run(self):
        while time.time() < self.deadline:
            imap = None
            try:
                imap = self.connect(self.args, TrackingImap)
                self.session(imap)
            except imaplib.IMAP4.abort as e:
                self.error("abort:" + "".join(c if c.isalnum() else "_" for c in str(e)[:60]))
            except imaplib.IMAP4.error as e:
                self.error("error:" + "".join(c if c.isalnum() else "_" for c in str(e)[:60]))
            except (OSError, ValueError) as e:
                self.error(type(e).__name__)
            finally:
                if imap is not None and imap.state != "LOGOUT":
                    try:
                        imap.shutdown()
                    except OSError:
                        pass
        cpu = time.process_time() - self.cpu_at_start if self.cpu_at_start is not None else 0.0
        return self.counts, self.errors, self.millis, self.tolerated, cpu

    def session(self, imap):
        rng, args = self.rng, self.args
        user = args.user_format.format(i=rng.randint(1, args.users))
        typ, data = self.timed("login", lambda: imap.login(user, args.password))
        self.check("login", typ, data, imap)
        # the capabilities as imaptest learns them: LOGIN's CAPABILITY response code, else the greeting's
        condstore = "CONDSTORE" in imap.capabilities or any(b"CONDSTORE" in d for d in data if isinstance(d, bytes))
        state = -1  # LOGIN
        while time.time() < self.deadline:
            name, _, again = STATES[state] if state >= 0 else ("login", 100, 0)
            if not (state >= 0 and rng.randrange(100) < again):
                state = self.next_state(state)
                name = STATES[state][0]
            imap.untagged_responses.clear()
            if name == "logout":
                typ, data = self.timed("logout", imap.logout)
                if typ != "BYE":
                    raise imaplib.IMAP4.error("logout without BYE: %s %s" % (typ, data))
                return
            self.step(imap, name, user, condstore)

    def next_state(self, state):
        while True:
            state += 1
            if state == len(STATES):
                state = 0
            name, probability, _ = STATES[state]
            if name == "copy" and not self.args.copybox:
                continue  # imaptest: COPY's probability is 0 without copybox=
            if self.rng.randrange(100) < probability:
                return state

    def step(self, imap, name, user, condstore):
        rng, args = self.rng, self.args
        messages = imap.messages
        if name == "list":
            typ, data = self.timed(name, lambda: imap.list('""', "*"))
        elif name == "status":
            typ, data = self.timed(name, lambda: imap.status('"INBOX"', "(MESSAGES UNSEEN RECENT)"))
        elif name == "select":
            if imap.state == "SELECTED":
                return
            params = ("(CONDSTORE)",) if condstore else ()
            typ, data = self.timed(name, lambda: imap._simple_command("SELECT", '"INBOX"', *params))
            if typ == "OK":
                imap.state = "SELECTED"
        elif name == "append":
            if messages >= args.msgs:
                return
            self.appended += 1
            body = APPEND_MESSAGE.format(user=user, n=self.appended, client=self.index,
                                         minute=self.appended % 60).encode()
            flags = "(%s)" % random_flags(rng) if rng.randrange(2) == 0 else None
            date = None if rng.randrange(2) == 0 else imaplib.Time2Internaldate(time.time() - rng.randint(0, 10 ** 7))
            typ, data = self.timed(name, lambda: imap.append("INBOX", flags, date, body))
        elif imap.state != "SELECTED" or messages == 0:
            return  # a selected-state command without messages: imaptest skips it
        elif name == "fetch":
            command = (message_set(rng, messages, min(messages, 100)), "(%s)" % fetch_items(rng))
            typ, data = self.timed(name, lambda: imap.fetch(*command))
        elif name == "fetch2":
            command = (str(rng.randint(1, messages)), "(UID %s)" % rng.choice(FETCH2_ITEMS))
            typ, data = self.timed(name, lambda: imap.fetch(*command))
        elif name == "copy":
            first = rng.randint(1, messages)
            last = first + min(rng.randrange(messages - first + 1), 5)
            typ, data = self.timed(name, lambda: imap.copy("%d:%d" % (first, min(last, messages)), args.copybox))
            if typ == "NO" and any(b"TRYCREATE" in (d or b"") for d in data if isinstance(d, bytes)):
                typ, data = imap.create(args.copybox)
        elif name == "store":
            count = rng.randrange(messages if messages < 10 else min(messages // 5, 50))
            if count == 0:
                return
            command = (message_set(rng, messages, count),
                       rng.choice(["+", "-", ""]) + "FLAGS" + (".SILENT" if rng.randrange(2) == 0 else ""),
                       "(%s)" % random_flags(rng))
            typ, data = self.timed(name, lambda: imap.store(*command))
        elif name == "delete":
            count = rng.randrange(messages - args.msgs) if messages > args.msgs + 5 else rng.randrange(5)
            if count == 0:
                return
            command = (message_set(rng, messages, count),
                       "+FLAGS" + (".SILENT" if rng.randrange(2) == 0 else ""), "\\Deleted")
            typ, data = self.timed(name, lambda: imap.store(*command))
        elif name == "expunge":
            typ, data = self.timed(name, imap.expunge)
        else:
            raise ValueError(name)
        self.check(name, typ, data, imap)
