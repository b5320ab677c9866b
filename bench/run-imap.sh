#!/usr/bin/env bash
# IMAP side by side: the same work against Dovecot (Debian, started by ../shared/bench/peers.sh) and against
# Mailroom (this checkout's dist build, data in a temporary folder).
#
#   bench/run-imap.sh [--messages M] [--clients N] [--seconds S] [--fill F] [--only dovecot|mailroom]
#                     [--profile default|imaptest]
#        defaults: 10,000 messages APPENDed into one mailbox, 20 clients for 30 s on 200 messages each, both servers
# --profile picks bench/imap_load.py's command mix: its own (default), or imaptest's default profile (sessions of
# LOGIN ... LOGOUT with LIST, STATUS, FETCH of ENVELOPE/BODYSTRUCTURE/header fields; bench/imaptest_profile.py).
#
# Both servers are measured over STARTTLS: run-imap.sh turns on TLS in the peers' Dovecot (ssl = no in peers.sh) with
# a throwaway self-signed EC P-256 certificate, as Mailroom's own. Dovecot is then measured a second time without
# TLS (keys dovecot_plain_*), which is how the first comparisons were made. DOVECOT_PLAIN=0 skips that second pass.
# Per server: bench/imap_phases.py APPENDs M messages into one mailbox (user50), then times SELECT,
# FETCH 1:* (UID FLAGS RFC822.SIZE), UID SEARCH on a header and a full FETCH of 100 bodies, with the CPU time the
# server spent in each phase; then the mailboxes of user1..N get F messages each over SMTP and N clients run a mixed
# workload for S seconds (imaptest when on the PATH, else bench/imap_load.py), in commands/s.
# MAILROOM_LIB=/path/to/lib runs another Mailroom build (e.g. one from before a change) instead of this checkout's.
# MAILROOM_JAVA_OPTS adds JVM options to the server (not to the admin clients), as the launchers do.
# MAILROOM_JFR=FILE records a JFR (settings=profile) of Mailroom from its start to the end of its mixed load
# (java bench/JfrTop.java FILE summarises it; --under CLASS.METHOD for one command's share);
# MAILROOM_JFR_IO=1 records every file write and force (Derby's log writes: its commits) and monitor waits of 1 ms
# or more too (jfr print --events jdk.FileWrite FILE); MAILROOM_JFR_FROM=load starts the recording after the fill,
# for the mixed load alone.
# MAILROOM_PHASES_OPTS adds options to Mailroom's imap_phases.py (--threads: who had the cores in each read phase;
# --each-fetch: every body FETCH's window; --gc: collections and eden per phase, with the windows, for bench/gc-windows.py;
# --alloc: allocation per phase).
# The mixed load also prints the server's CPU per command during it, by thread group, with context switches per
# command, the clients' own CPU and the machine's idle time (bench/imap_load.py, bench/server_threads.py).
# Needs root (peers.sh installs and starts Postfix and Dovecot), python3, bc, Java 17 and Maven. Prints key=value lines per server, then
# one summary line per figure with the Mailroom/Dovecot ratio; everything it started is stopped at the end.
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/maven.sh"   # bench_mvn
cd "$(dirname "$0")/.."
root=$(pwd)
source bench/start-mailroom.sh
clients=20; seconds=30; messages=10000; fill_messages=200; only=; profile=default
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --messages) messages=$2; shift 2 ;;
    --fill) fill_messages=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
  esac
done
# the phases' mailbox belongs to a user the mixed load does not use (peers.sh makes user1..user50)
phase_user=user50@example.test
if [ "$clients" -ge 50 ]; then echo "--clients must be below 50 (user50 is the phases' user)" >&2; exit 2; fi
peers="$root/../shared/bench/peers.sh"
work=$(mktemp -d /tmp/mailroom-imap-bench.XXXXXX)
chmod 755 "$work"   # Dovecot (its own user) reads the peers' state under it: 0700 gave "auth not ready"
mailroom_pid=""
cleanup() {
  [ -n "$mailroom_pid" ] && kill "$mailroom_pid" 2>/dev/null && wait "$mailroom_pid" 2>/dev/null || true
  bash "$peers" stop "$work/peers" >/dev/null 2>&1 || true
  # the server's log outlives the run, for the errors the summary counts
  [ -f "$work/mailroom.log" ] && cp "$work/mailroom.log" /tmp/mailroom-imap-bench-last.log
  rm -rf "$work"
}
trap cleanup EXIT

# Mailroom's passwords need 8 characters; Dovecot's users have "pass" (peers.sh).
mailroom_password=benchpass1

wait_port() {
  for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done
  echo "nothing listens on port $1" >&2; return 1
}

# Sends $fill_messages messages to each of user1..user$clients over SMTP; exits non-zero on any refusal.
fill() {
  fill_over_smtp "$1" "$clients" "$fill_messages"
}

load() { # port tls password cpu-option(--cpu-pid PID | --cpu-comm NAMES)...
  if command -v imaptest >/dev/null; then
    echo "load=imaptest"
    local out
    out=$(imaptest host=127.0.0.1 port="$1" user='user%d@example.test' pass="$3" users="$clients" \
      clients="$clients" secs="$seconds" mbox=/dev/null no_pipelining 2>&1 | tail -n 12) || true
    echo "$out" | sed 's/^/imaptest: /'
  else
    echo "load=bench/imap_load.py"
    python3 "$root/bench/imap_load.py" --port "$1" --tls "$2" --password "$3" --clients "$clients" \
      --seconds "$seconds" --keep "$fill_messages" --profile "$profile" "${@:4}"
  fi
}

# Dovecot's CPU during the load: its imap and imap-login processes (the default profile's sessions last the whole load);
# with imaptest's profile, whose sessions each end with LOGOUT and whose imap processes come and go, its master's
# whole process tree (auth included), the exited processes' time too
dovecot_cpu() {
  if [ "$profile" = imaptest ]; then echo "--cpu-tree $(cat "$work/peers/dovecot/run/master.pid")"
  else echo "--cpu-comm imap,imap-login"; fi
}

start_jfr() { # MAILROOM_JFR, when set: a JFR of the Mailroom server from now to the end of its mixed load
  [ -n "${MAILROOM_JFR:-}" ] || return 0
  local jfr_settings=profile
  if [ "${MAILROOM_JFR_IO:-0}" = 1 ]; then
    # the profile settings, but every file write and force (Derby's log writes: its commits) and every monitor
    # enter or wait of 1 ms or more (Derby's lock waits)
    jfr_settings="$work/io.jfc"
    local java_home
    java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    sed -e '/"jdk.File\(Write\|Force\)"/,/<\/event>/s#>10 ms<#>0 ms<#' \
        -e '/"jdk.JavaMonitor\(Enter\|Wait\)"/,/<\/event>/s#>10 ms<#>1 ms<#' \
        "$java_home/lib/jfr/profile.jfc" > "$jfr_settings"
  fi
  jcmd "$mailroom_pid" JFR.start name=bench settings="$jfr_settings" filename="$(realpath -m "$MAILROOM_JFR")" >/dev/null
}

echo "date=$(date -u +%FT%TZ)"
echo "nproc=$(nproc)"
echo "load_average_at_start=$(cut -d' ' -f1 /proc/loadavg)"

dovecot_out=""; dovecot_plain_out=""; mailroom_out=""
# --- Dovecot ---
if [ "$only" != mailroom ]; then
command -v dovecot >/dev/null || bash "$peers" install
bash "$peers" start "$work/peers" >/dev/null
wait_port 10143
# Equal footing: STARTTLS on Dovecot too (only this run's copy of its configuration changes), with a key of the same
# type as Mailroom's self-signed one. Plaintext LOGIN stays allowed, for the second pass below.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -keyout "$work/dovecot-key.pem" -out "$work/dovecot-cert.pem" 2>/dev/null
sed -i -e "s#^ssl = no#ssl = yes\nssl_cert = <$work/dovecot-cert.pem\nssl_key = <$work/dovecot-key.pem#" \
  "$work/peers/dovecot/dovecot.conf"
dovecot -c "$work/peers/dovecot/dovecot.conf" reload
sleep 1; wait_port 10143
# Dovecot runs one "imap" process per session, and with TLS an "imap-login" process that proxies it: the phases count
# the CPU time of both
dovecot_out=$(python3 "$root/bench/imap_phases.py" --port 10143 --tls starttls --user "$phase_user" --password pass \
  --messages "$messages" --cpu-comm imap,imap-login)
start=$(date +%s.%N)
fill 10025
want=$((clients * fill_messages))
for _ in $(seq 1 600); do [ "$(bash "$peers" count "$work/peers")" -ge "$want" ] && break; sleep 0.5; done
dovecot_out="$dovecot_out
fill_s=$(echo "$(date +%s.%N) - $start" | bc)
$(load 10143 starttls pass $(dovecot_cpu))"
echo "$dovecot_out" | sed 's/^/dovecot_/'
dovecot_plain_out=""
if [ "${DOVECOT_PLAIN:-1}" != 0 ]; then
  # the same phases (into another mailbox) and load without TLS
  dovecot_plain_out=$(python3 "$root/bench/imap_phases.py" --port 10143 --tls none --user "$phase_user" --password pass \
    --messages "$messages" --mailbox BenchPlain --cpu-comm imap,imap-login)
  dovecot_plain_out="$dovecot_plain_out
$(load 10143 none pass $(dovecot_cpu))"
  echo "$dovecot_plain_out" | sed 's/^/dovecot_plain_/'
fi
bash "$peers" stop "$work/peers" >/dev/null
fi

# --- Mailroom ---
if [ "$only" != dovecot ]; then
lib=${MAILROOM_LIB:-}
if [ -z "$lib" ]; then
  bench_mvn -pl dist -am -DskipTests package >/dev/null
  lib="$root/dist/target/lib"
fi
echo "mailroom_lib=$lib"
run() { java -cp "$lib/*" -Dmailroom.home="$root" org.mailroom.dist.Main "$@" --config "$work/mailroom.yaml"; }
sed -e "s#data-dir: ./data#data-dir: $work/mailroom-data#" -e "s#^  spf: true#  spf: false#" \
  conf/mailroom.yaml > "$work/mailroom.yaml"
run admin domain add example.test >/dev/null
for user in $(seq -f 'user%g@example.test' 1 "$clients") "$phase_user"; do
  echo "$mailroom_password" | run admin user add "$user" --password-stdin >/dev/null
done
# a server left over from an earlier run would answer instead of this one
if (exec 3<>/dev/tcp/127.0.0.1/2143) 2>/dev/null; then echo "port 2143 is already in use" >&2; exit 1; fi
# shellcheck disable=SC2086 # MAILROOM_JAVA_OPTS holds several options on purpose
start_mailroom "$work/mailroom.log" java ${MAILROOM_JAVA_OPTS:-} -cp "$lib/*" -Dmailroom.home="$root" org.mailroom.dist.Main start \
  --config "$work/mailroom.yaml"
wait_port 2525; wait_port 2143
[ "${MAILROOM_JFR_FROM:-start}" = start ] && start_jfr
# Mailroom refuses LOGIN before TLS on its listeners: its sessions use STARTTLS (Dovecot runs with ssl = no), so
# Mailroom's figures include TLS.
# shellcheck disable=SC2086 # MAILROOM_PHASES_OPTS may hold several options
mailroom_out=$(python3 "$root/bench/imap_phases.py" --port 2143 --tls starttls --user "$phase_user" \
  --password "$mailroom_password" --messages "$messages" --cpu-pid "$mailroom_pid" ${MAILROOM_PHASES_OPTS:-})
start=$(date +%s.%N)
fill 2525
[ "${MAILROOM_JFR_FROM:-start}" = load ] && start_jfr
mailroom_out="$mailroom_out
fill_s=$(echo "$(date +%s.%N) - $start" | bc)
$(load 2143 starttls "$mailroom_password" --cpu-pid "$mailroom_pid")"
if [ -n "${MAILROOM_JFR:-}" ]; then jcmd "$mailroom_pid" JFR.stop name=bench >/dev/null; fi
echo "$mailroom_out" | sed 's/^/mailroom_/'
fi

value() { echo "$1" | sed -n "s/^$2=//p" | head -1; }
echo "# summary: $messages messages APPENDed into one mailbox; $clients clients for $seconds s on $fill_messages messages each ($profile profile)"
echo "# both over STARTTLS; dovecot_plain: Dovecot without TLS (not in the ratio)"
echo "# ratio = Mailroom / Dovecot of the figure (for *_s and *_cpu_s lower is better, for */s higher is better)"
printf '%-28s %12s %12s %8s %14s\n' figure dovecot mailroom ratio dovecot_plain
for key in append_s append_msgs_per_s append_server_cpu_s select_s select_server_cpu_s fetch_all_s \
    fetch_all_server_cpu_s uid_search_s uid_search_server_cpu_s fetch_bodies_s fetch_bodies_server_cpu_s \
    commands_per_s server_cpu_ms_per_command clients_cpu_ms_per_command errors; do
  d=$(value "$dovecot_out" "$key"); m=$(value "$mailroom_out" "$key"); ratio=
  if [ -n "$d" ] && [ -n "$m" ] && [ "$(echo "$d > 0" | bc)" = 1 ]; then ratio=$(printf "%.2f" "$(echo "scale=4; $m / $d" | bc)"); fi
  p=$(value "$dovecot_plain_out" "$key")
  printf '%-28s %12s %12s %8s %14s\n' "$key" "${d:-?}" "${m:-?}" "${ratio:--}" "${p:--}"
done
