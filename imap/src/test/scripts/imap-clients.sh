#!/usr/bin/env bash
# End-to-end test of Mailroom IMAP with real clients from Debian: curl, Python imaplib and mbsync (isync).
# Run by ImapClientsScriptTest against an in-process server; connection settings come from the environment:
#   IMAP_HOST, IMAP_PORT (implicit TLS), IMAP_USER, IMAP_PASSWORD (no spaces or quotes), IMAP_CA (PEM file),
#   WORK_DIR (an empty directory for the Maildir and configuration).
# The user's INBOX must be empty at start. Exits non-zero on the first mismatch.
set -euo pipefail

: "${IMAP_HOST:?}" "${IMAP_PORT:?}" "${IMAP_USER:?}" "${IMAP_PASSWORD:?}" "${IMAP_CA:?}" "${WORK_DIR:?}"
here="$(cd "$(dirname "$0")" && pwd)"
url="imaps://${IMAP_HOST}:${IMAP_PORT}"
fail() { echo "FAIL: $*" >&2; exit 1; }
curl_imap() {
    curl --silent --show-error --fail --max-time 30 --cacert "$IMAP_CA" --user "${IMAP_USER}:${IMAP_PASSWORD}" "$@"
}

echo "== python imaplib: a whole session"
python3 "$here/imap_session.py" session

echo "== curl: list folders"
folders="$(curl_imap "$url/")"
echo "$folders"
for name in INBOX Sent Drafts Trash Archive Spam Priority; do
    grep -q "\"$name\"\$" <<<"${folders//$'\r'/}" || fail "curl LIST lacks $name"
done

echo "== curl: fetch INBOX;UID=1"
fetched="$(curl_imap "$url/INBOX;UID=1")"
grep -q '^Subject: Python hello' <<<"${fetched//$'\r'/}" || fail "curl fetch of UID 1: $fetched"
grep -q '^zebra stripes' <<<"${fetched//$'\r'/}" || fail "curl fetch lacks the body: $fetched"
echo "curl: fetched UID 1"

echo "== curl: search"
found="$(curl_imap "$url/INBOX" --request 'SEARCH SUBJECT "For mbsync"')"
grep -q '^\* SEARCH 2' <<<"${found//$'\r'/}" || fail "curl SEARCH: $found"

if [[ "${E2E_MBSYNC:-1}" == 0 ]]; then
    echo "mbsync: SKIPPED (E2E_MBSYNC=0)"
    echo "ALL CLIENT CHECKS PASSED"
    exit 0
fi

echo "== mbsync: sync INBOX to a Maildir"
maildir="$WORK_DIR/maildir"
mkdir -p "$maildir"
config="$WORK_DIR/mbsyncrc"
MBSYNC_PIPELINE_LINE="PipelineDepth ${MBSYNC_PIPELINE_DEPTH:-0}"
[[ "${MBSYNC_PIPELINE_DEPTH:-0}" == 0 ]] && MBSYNC_PIPELINE_LINE=""
# isync 1.5 renamed SSLType to TLSType; Debian 12 has 1.4.
case "$(mbsync --version)" in
    "isync 1."[0-4]*) tls_type_keyword=SSLType ;;
    *) tls_type_keyword=TLSType ;;
esac
cat >"$config" <<CONF
IMAPAccount mailroom
Host $IMAP_HOST
Port $IMAP_PORT
User $IMAP_USER
Pass $IMAP_PASSWORD
$tls_type_keyword IMAPS
CertificateFile $IMAP_CA
AuthMechs LOGIN
Timeout ${MBSYNC_TIMEOUT:-30}
# mbsync's default pipelining unless MBSYNC_PIPELINE_DEPTH=N (N commands in flight at most).
${MBSYNC_PIPELINE_LINE}

IMAPStore mailroom-remote
Account mailroom

MaildirStore mailroom-local
Path $maildir/
Inbox $maildir/INBOX

Channel mailroom
Far :mailroom-remote:
Near :mailroom-local:
Patterns INBOX
Create Near
Sync All
Expunge None
SyncState *
CONF
mbsync_run() {
    mbsync --config "$config" --all ${MBSYNC_DEBUG:---verbose} || fail "mbsync exited with $?"
}
mbsync_run
count="$(find "$maildir/INBOX/cur" "$maildir/INBOX/new" -type f | wc -l)"
[[ "$count" -eq 2 ]] || fail "expected 2 messages in the Maildir, found $count"
unseen="$(grep -l '^Subject: For mbsync' "$maildir"/INBOX/new/* "$maildir"/INBOX/cur/* 2>/dev/null | head -n 1)"
[[ -n "$unseen" ]] || fail "the message 'For mbsync' did not reach the Maildir"
flagged="$(grep -l '^Subject: Python hello' "$maildir"/INBOX/cur/* | head -n 1)"
[[ "$flagged" == *:2,*F*S* ]] || fail "server flags \\Flagged \\Seen not in the Maildir name: $flagged"
echo "mbsync: 2 messages synced, flags FS on 'Python hello'"

echo "== mbsync: mark 'For mbsync' seen locally, sync back"
base="$(basename "$unseen")"
base="${base%%:2,*}"
mv "$unseen" "$maildir/INBOX/cur/${base}:2,S"
mbsync_run
python3 "$here/imap_session.py" has-flag "For mbsync" '\Seen'

echo "== mbsync: a message added on the server appears locally"
python3 "$here/imap_session.py" append "Added on server"
mbsync_run
grep -q '^Subject: Added on server' "$maildir"/INBOX/new/* "$maildir"/INBOX/cur/* 2>/dev/null \
    || fail "'Added on server' did not reach the Maildir"
echo "mbsync: server-side message synced"

echo "ALL CLIENT CHECKS PASSED"
