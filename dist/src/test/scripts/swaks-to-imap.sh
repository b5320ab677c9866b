#!/usr/bin/env bash
# End to end through the running server with real clients: swaks sends a message to the MX port, Python imaplib
# reads it back over IMAPS from the folder the sorter chose, with the sorter's trace header. Run by
# SwaksToImapScriptTest; settings from the environment:
#   SMTP_PORT, IMAP_PORT (implicit TLS), IMAP_CA (PEM), USER_ADDRESS, USER_PASSWORD, FROM, SUBJECT, FOLDER
# Prints the stored message's X-Mailroom-Sort header; exits non-zero on the first mismatch.
set -euo pipefail
: "${SMTP_PORT:?}" "${IMAP_PORT:?}" "${IMAP_CA:?}" "${USER_ADDRESS:?}" "${USER_PASSWORD:?}" "${FROM:?}" \
  "${SUBJECT:?}" "${FOLDER:?}"

echo "== swaks: $FROM -> $USER_ADDRESS on 127.0.0.1:$SMTP_PORT"
swaks --silent 1 --server 127.0.0.1 --port "$SMTP_PORT" --helo sender.example --from "$FROM" \
    --to "$USER_ADDRESS" --header "Subject: $SUBJECT" --body "sent by swaks, read by imaplib"

echo "== imaplib: $FOLDER on 127.0.0.1:$IMAP_PORT"
python3 - <<'PY'
import imaplib, os, ssl, sys, time
context = ssl.create_default_context(cafile=os.environ["IMAP_CA"])
context.check_hostname = False  # the test certificate names localhost; we connect to 127.0.0.1
imap = imaplib.IMAP4_SSL("127.0.0.1", int(os.environ["IMAP_PORT"]), ssl_context=context)
imap.login(os.environ["USER_ADDRESS"], os.environ["USER_PASSWORD"])
typ, data = imap.select('"%s"' % os.environ["FOLDER"], readonly=True)
assert typ == "OK", (typ, data)
typ, data = imap.search(None, "SUBJECT", '"%s"' % os.environ["SUBJECT"])
numbers = data[0].split()
if len(numbers) != 1:
    sys.exit("FAIL: expected exactly one message with that subject in %s, found %r" % (os.environ["FOLDER"], numbers))
typ, data = imap.fetch(numbers[0], "(BODY.PEEK[HEADER.FIELDS (X-MAILROOM-SORT SUBJECT)] BODY.PEEK[TEXT])")
header = data[0][1].decode()
body = data[1][1].decode()
assert "sent by swaks, read by imaplib" in body, body
if "X-Mailroom-Sort" not in header:
    sys.exit("FAIL: no X-Mailroom-Sort header: %r" % header)
print(" ".join(header.split()))
imap.logout()
PY
