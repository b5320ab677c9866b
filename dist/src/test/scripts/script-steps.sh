# Sourced by the tarball's test scripts (newcomer.sh, class-data-sharing.sh): progress lines and the one way to fail.
#   step TEXT    prints "== <seconds since the script started>s: TEXT"
#   fail TEXT    prints "FAIL: TEXT" and the last 60 lines of $work/server.log (when there is one), exits 1
started_at=$SECONDS
step() { echo "== $(( SECONDS - started_at ))s: $*"; }
fail() {
    echo "FAIL: $*" >&2
    [[ -f "$work/server.log" ]] && { echo "--- server log:" >&2; tail -n 60 "$work/server.log" >&2; }
    exit 1
}
