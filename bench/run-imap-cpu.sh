#!/usr/bin/env bash
# Server CPU per IMAP command: starts Mailroom (this checkout's dist build, or MAILROOM_LIB) with its data in a
# temporary folder on free ports, adds one user, and runs bench/imap_cpu_probe.py over STARTTLS against it.
#
#   bench/run-imap-cpu.sh [--messages M] [--repeat N] [--warmup W] [--only cmd1,cmd2] [--jfr FILE]
#        defaults: a mailbox of 300 messages, each command repeated 50 times after as many unmeasured ones (--warmup)
#   MAILROOM_LIB=/path/to/other/lib bench/run-imap-cpu.sh      # another build (e.g. before a change)
#   MAILROOM_JAVA_OPTS=...   JVM options for the server (not the admin clients), as the launchers pass them
#   bench/run-imap-cpu.sh --phases --messages 2000   # run-imap.sh's phases (imap_phases.py) twice on one server
#
# --phases runs imap_phases.py (APPEND of --messages messages, SELECT, FETCH 1:*, UID SEARCH HEADER, 100 single
# FETCH BODY.PEEK[]) into a first mailbox on the fresh server (lines prefixed cold_), then again into a second one
# (warm_): the same commands, once while the JVM still compiles their code and once after; with --jfr FILE it
# records the cold round's read phases (SELECT to the last body FETCH, not the APPENDs).
# --jfr FILE records a Java Flight Recording (profile settings) of the measured commands only (not start-up,
# login or the fill). Needs python3, Java 17 and Maven; prints cpu_ms_<command>= (server CPU per command),
# jit_ms_<command>= (the part of it spent by the JIT compiler threads), wall_ms_<command>= and switches_<command>=
# (voluntary context switches per command by thread group: thread hand-offs and waits) lines.
# Everything it started is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source bench/start-mailroom.sh
# A fresh JVM's per-command CPU is what this measures (--phases' cold_ round above all): no start-up warm-up unless
# the caller asks for it (MAILROOM_WARM_UP=on).
export MAILROOM_WARM_UP=${MAILROOM_WARM_UP:-off}
messages=300; repeat=50; warmup=-1; only=; jfr=; phases=
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) messages=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --phases) phases=1; shift ;;
    --only) only=$2; shift 2 ;;
    --jfr) jfr=$(realpath -m "$2"); shift 2 ;;
    *) sed -n '2,18p' "$0"; exit 2 ;;
  esac
done
lib=${MAILROOM_LIB:-}
if [ -z "$lib" ]; then
  mvn -B -q -o -pl dist -am -DskipTests package >/dev/null
  lib="$root/dist/target/lib"
fi
work=$(mktemp -d /tmp/mailroom-imap-cpu.XXXXXX)
mailroom_pid=""
cleanup() {
  [ -n "$mailroom_pid" ] && kill "$mailroom_pid" 2>/dev/null && wait "$mailroom_pid" 2>/dev/null || true
  [ -f "$work/mailroom.log" ] && cp "$work/mailroom.log" /tmp/mailroom-imap-cpu-last.log
  rm -rf "$work"
}
trap cleanup EXIT

# Six free ports, so that this run does not collide with a server on the default ones.
read -r p_smtp p_sub p_subtls p_imap p_imaptls p_http < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()')
sed -e "s#data-dir: ./data#data-dir: $work/data#" -e "s#^  spf: true#  spf: false#" \
  -e "s#^  port: 2525#  port: $p_smtp#" -e "s#^  port: 2587#  port: $p_sub#" -e "s#^  tls-port: 2465#  tls-port: $p_subtls#" \
  -e "s#^  port: 2143#  port: $p_imap#" -e "s#^  tls-port: 2993#  tls-port: $p_imaptls#" -e "s#^  port: 8025#  port: $p_http#" \
  conf/mailroom.yaml > "$work/mailroom.yaml"
run() { java -cp "$lib/*" -Dmailroom.home="$root" org.mailroom.dist.Main "$@" --config "$work/mailroom.yaml"; }
user=probe@example.test; password=probepass1
run admin domain add example.test >/dev/null
echo "$password" | run admin user add "$user" --password-stdin >/dev/null
# shellcheck disable=SC2086 # MAILROOM_JAVA_OPTS holds several options on purpose
start_mailroom "$work/mailroom.log" java ${MAILROOM_JAVA_OPTS:-} -cp "$lib/*" -Dmailroom.home="$root" org.mailroom.dist.Main start \
  --config "$work/mailroom.yaml"

echo "date=$(date -u +%FT%TZ)"
echo "nproc=$(nproc)"
echo "load_average_at_start=$(cut -d' ' -f1 /proc/loadavg)"
echo "lib=$lib"
probe() { python3 "$root/bench/imap_cpu_probe.py" --port "$p_imap" --tls starttls --user "$user" --password "$password" \
  --cpu-pid "$mailroom_pid" --messages "$messages" --repeat "$repeat" --warmup "$warmup" "$@"; }
phases() { python3 "$root/bench/imap_phases.py" --port "$p_imap" --tls starttls --user "$user" --password "$password" \
  --cpu-pid "$mailroom_pid" --messages "$messages" "$@"; }
if [ -n "$phases" ]; then
  phases --mailbox Cold ${jfr:+--jfr "$jfr"} | sed 's/^/cold_/'
  phases --mailbox Warm | sed 's/^/warm_/'
elif [ -n "$jfr" ]; then
  # fill and warm up first, then record only the measured round
  probe --only noop --repeat 3 --connections 0 | grep '^cpu_ms_append='
  jcmd "$mailroom_pid" JFR.start name=probe settings=profile >/dev/null
  probe --skip-fill ${only:+--only "$only"}
  jcmd "$mailroom_pid" JFR.dump name=probe filename="$jfr" >/dev/null
  echo "jfr=$jfr"
else
  probe ${only:+--only "$only"}
fi
echo "load_average_at_end=$(cut -d' ' -f1 /proc/loadavg)"
