#!/usr/bin/env bash
# What a newcomer does with the tarball, end to end, with real clients (run by DistributionIT on the tarball that
# `mvn package` made; runs by hand too):
#   newcomer.sh TARBALL [WORKDIR]
# unpacks it, starts `bin/mailroom start` (default ports when all are free, else a configuration with free ports),
# adds a domain, then while it runs a user (--password-stdin) and a rule, sends one message with swaks over submission (STARTTLS +
# AUTH) and one to the MX port, reads both back with curl over IMAPS from the folders the sorter chose (user and rule
# added while the server runs: no restart), stops it (exit 0) and checks that no java process of it is left.
# Needs java, tar, swaks, curl, python3 (free ports). Prints "NEWCOMER OK" at the end; exits non-zero on the first
# failure, with the server's log.
set -euo pipefail
# shellcheck source=free-ports.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/free-ports.sh"
tarball="$(readlink -f "${1:?usage: newcomer.sh TARBALL [WORKDIR]}")"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
work="$(readlink -f "$work")"
# shellcheck source=script-steps.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/script-steps.sh"

step "unpacking $(basename "$tarball") into $work"
tar xzf "$tarball" -C "$work"
home="$(echo "$work"/mailroom-*/)"
home="${home%/}"
[[ -x "$home/bin/mailroom" ]] || fail "no executable bin/mailroom in $home"
mailroom="$home/bin/mailroom"
cd "$work"

# Ports: the documented defaults when every one is free, otherwise free ones picked now.
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
defaults=(2525 2587 2465 2143 2993 8025)
busy=""
for port in "${defaults[@]}"; do in_use "$port" && busy="$busy $port"; done
if [[ -z "$busy" ]]; then
    config="$home/conf/mailroom.yaml"
    read -r mx sub subs imap imaps http <<<"${defaults[*]}"
    step "default ports are free: using $config as shipped"
else
    config="$work/mailroom.yaml"
    free_port_config "$config"
    step "default port(s)$busy in use: free ports in $config"
fi
cli() { "$mailroom" --config "$config" "$@"; }

step "adding a domain (server stopped: the CLI opens the store itself)"
cli admin domain add example.org

step "starting: bin/mailroom start (with its start-up warm-up, as shipped)"
# The warm-up's temporary folder goes under $work, so the check below sees this start's alone.
unset MAILROOM_WARM_UP
mkdir -p "$work/tmp"
MAILROOM_JAVA_OPTS="${MAILROOM_JAVA_OPTS:-} -Djava.io.tmpdir=$work/tmp" \
    "$mailroom" --config "$config" start >"$work/server.log" 2>&1 &
server=$!
# On any failure below, the server this script started goes too (by its pid), so no java is left behind.
trap 'kill "$server" 2>/dev/null || true' EXIT
# Minutes on a busy machine: the warm-up runs a throwaway server first.
for _ in $(seq 1 3000); do
    grep -q "Mailroom is running" "$work/server.log" && break
    kill -0 "$server" 2>/dev/null || fail "the server exited while starting"
    sleep 0.1
done
grep -q "Mailroom is running" "$work/server.log" || fail "not running after 5 minutes"
grep -q "warmed up in " "$work/server.log" || fail "no 'warmed up in' line: the warm-up did not run or failed"
left="$(find "$work/tmp" -maxdepth 1 -name 'mailroom-warm-up-*')"
[[ -z "$left" ]] || fail "the warm-up left $left behind"
[[ "$(curl -sS --max-time 30 "http://127.0.0.1:$http/healthz")" == "ok" ]] || fail "/healthz did not answer ok"
cli status | grep -q "Mailroom is running (pid $server)" || fail "status does not name pid $server"

# Users and rules change without a restart: these go through the running server's admin endpoint.
step "adding a user and a rule while it runs"
password="newcomer-$RANDOM-password"
printf '%s\n' "$password" | cli admin user add alice@example.org --password-stdin
cli admin rules add 'if subject contains "urgent" then priority'
sleep 1.1  # the server looks at the rules file at most once a second

step "swaks: submission on $sub with STARTTLS and AUTH"
swaks --silent 1 --server 127.0.0.1 --port "$sub" --tls --auth PLAIN --auth-user alice@example.org \
    --auth-password "$password" --helo client.example --from alice@example.org --to alice@example.org \
    --header "Subject: note to self" --body "submitted by swaks" || fail "submission refused"
step "swaks: MX on $mx"
swaks --silent 1 --server 127.0.0.1 --port "$mx" --helo sender.example --from boss@sender.example \
    --to alice@example.org --header "Subject: urgent: call me" --body "sent to the MX by swaks" \
    || fail "MX refused"

step "curl: reading both back over IMAPS on $imaps"
fetch() { curl -sS --max-time 60 -k --ssl-reqd --user "alice@example.org:$password" "imaps://127.0.0.1:$imaps/$1"; }
inbox="$(fetch 'INBOX;UID=1')" || fail "cannot fetch INBOX UID 1"
grep -q "^Subject: note to self" <<<"$inbox" || fail "INBOX UID 1 is not the submitted message: $inbox"
grep -q "^X-Mailroom-Sort:" <<<"$inbox" || fail "no X-Mailroom-Sort trace header in INBOX UID 1"
priority="$(fetch 'Priority;UID=1')" || fail "cannot fetch Priority UID 1"
grep -q "^Subject: urgent: call me" <<<"$priority" || fail "Priority UID 1 is not the MX message: $priority"
grep -q "^X-Mailroom-Sort: .*priority" <<<"$priority" || fail "trace header does not say priority: $priority"
[[ "$(fetch 'INBOX?ALL')" == "* SEARCH 1"* ]] || fail "INBOX holds more than the submitted message"

step "stopping: bin/mailroom stop"
cli stop || fail "stop exited non-zero"
set +e
wait "$server"
status=$?
set -e
[[ $status -eq 143 || $status -eq 0 ]] || fail "the server exited with $status"
grep -q "Mailroom stopped." "$work/server.log" || fail "no orderly stop in the log"
[[ ! -e data/admin-endpoint ]] || fail "admin-endpoint file left behind"
if pgrep -f -- "-Dmailroom.home=$home" >/dev/null; then fail "a java process of $home is still running"; fi
step "NEWCOMER OK"
