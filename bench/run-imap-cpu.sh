#!/usr/bin/env bash
# Server CPU per IMAP command: starts Mailroom (this checkout's dist build, or MAILROOM_LIB) with its data in a
# temporary folder on free ports, adds one user, and runs bench/imap_cpu_probe.py over STARTTLS against it.
#
#   bench/run-imap-cpu.sh [--messages M] [--repeat N] [--warmup W] [--only cmd1,cmd2] [--jfr FILE]
#        defaults: a mailbox of 300 messages, each command repeated 50 times after as many unmeasured ones (--warmup)
#   MAILROOM_LIB=/path/to/other/lib bench/run-imap-cpu.sh      # another build (e.g. before a change)
#   MAILROOM_JAVA_OPTS=...   JVM options for the server (not the admin clients), as the launchers pass them
#   bench/run-imap-cpu.sh --phases --messages 2000   # run-imap.sh's phases (imap_phases.py) twice on one server
#   bench/run-imap-cpu.sh --rtt [--messages 300] [--warmup 5000] [--repeat 2000] [--strace]   # a body FETCH's round trip
#   bench/run-imap-cpu.sh --fetch-all --messages 10000 [--repeat 50]   # FETCH 1:* of a large mailbox, repeated
#   bench/run-imap-cpu.sh --mix [--clients 20] [--fill 200] [--warmup 60] [--seconds 30] [--rounds 1] [--jfr FILE]
#                         [--profile default|imaptest]
#
# --phases runs imap_phases.py (APPEND of --messages messages, SELECT, FETCH 1:*, UID SEARCH HEADER, 100 single
# FETCH BODY.PEEK[]) into a first mailbox on the fresh server (lines prefixed cold_), then again into a second one
# (warm_): the same commands, once while the JVM still compiles their code and once after; with --jfr FILE it
# records the cold round's read phases (SELECT to the last body FETCH, not the APPENDs).
# Each read phase also prints who had the cores in its window (imap_phases.py --threads: the server's threads' CPU
# and run-queue wait, the client's, the machine's busy time), and each body FETCH its own window
# (imap_phases.py --each-fetch: body<N>_epoch_s=START-END ms=MS, for bench/body-fetch-jit.py); MAILROOM_PHASES_OPTS
# adds imap_phases.py options, e.g. "--gc --alloc" (each phase's collections, eden and allocation; bench/gc-windows.py).
# --rtt runs imap_rtt_probe.py: FETCH n (BODY.PEEK[]) one at a time on one connection, --warmup unmeasured, then three
# rounds of --repeat (lines prefixed round<R>_: min/p10/median/p90 of the round trip, server CPU and the client's per
# command, thread groups' CPU and switches per command; --strace: system calls of the I/O and boundedElastic threads).
# --fetch-all runs fetch_all_probe.py: --messages APPENDed into one mailbox, SELECT, then FETCH 1:* (UID FLAGS
# RFC822.SIZE) --repeat times on that session; prints the first FETCH's and the later ones' server CPU by thread group
# (schedstat nanoseconds), times to the first bytes and to the OK, and the TLS records the answer came in.
# --mix runs run-imap.sh's mixed load (imap_load.py, N clients over STARTTLS) against a warm server: user1..N are
# added through the server's admin endpoint, their INBOXes filled over SMTP as run-imap.sh does, the load runs
# --warmup seconds unmeasured (the JIT compiles the commands' code), then --rounds measured windows of --seconds
# (lines prefixed round<R>_: commands_per_s, server_cpu_ms_per_command, thread_* ...; --profile imaptest: imaptest's
# default profile instead of imap_load.py's own mix, as in run-imap.sh); with --jfr FILE the last
# window is recorded, its execution samples every JFR_PERIOD (default "10 ms", the profile settings'; "2 ms" gives
# five times the samples).
# --jfr FILE records a Java Flight Recording (profile settings) of the measured commands only (not start-up,
# login or the fill). Needs python3, Java 17 and Maven; prints cpu_ms_<command>= (server CPU per command),
# jit_ms_<command>= (the part of it spent by the JIT compiler threads), wall_ms_<command>= and switches_<command>=
# (voluntary context switches per command by thread group: thread hand-offs and waits) lines.
# Everything it started is stopped at the end.
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/maven.sh"   # bench_mvn
cd "$(dirname "$0")/.."
root=$(pwd)
source bench/start-mailroom.sh
# A fresh JVM's per-command CPU is what this measures (--phases' cold_ round above all): no start-up warm-up unless
# the caller asks for it (MAILROOM_WARM_UP=on).
export MAILROOM_WARM_UP=${MAILROOM_WARM_UP:-off}
messages=300; repeat=50; repeat_given=; warmup=-1; rtt=; strace=; only=; jfr=; phases=; fetch_all=; mix=; clients=20; fill_messages=200; seconds=30; rounds=1; profile=default
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) messages=$2; shift 2 ;;
    --repeat) repeat=$2; repeat_given=1; shift 2 ;;
    --rtt) rtt=1; shift ;;
    --strace) strace=--strace; shift ;;
    --warmup) warmup=$2; shift 2 ;;
    --phases) phases=1; shift ;;
    --fetch-all) fetch_all=1; shift ;;
    --mix) mix=1; shift ;;
    --clients) clients=$2; shift 2 ;;
    --fill) fill_messages=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --jfr) jfr=$(realpath -m "$2"); shift 2 ;;
    *) sed -n '2,39p' "$0"; exit 2 ;;
  esac
done
lib=${MAILROOM_LIB:-}
if [ -z "$lib" ]; then
  bench_mvn -pl dist -am -DskipTests package >/dev/null
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

mailroom_config_on_free_ports "$work"
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
# shellcheck disable=SC2086 # MAILROOM_PHASES_OPTS may hold several options (as in run-imap.sh: --gc, --alloc)
phases() { python3 "$root/bench/imap_phases.py" --port "$p_imap" --tls starttls --user "$user" --password "$password" \
  --cpu-pid "$mailroom_pid" --messages "$messages" --threads --each-fetch ${MAILROOM_PHASES_OPTS:-} "$@"; }
if [ -n "$mix" ]; then
  add_users_through_endpoint "$work/data" "$work" "$password" "$clients"
  fill_over_smtp "$p_smtp" "$clients" "$fill_messages"
  load() {
    python3 "$root/bench/imap_load.py" --port "$p_imap" --tls starttls --password "$password" --clients "$clients" \
      --keep "$fill_messages" --profile "$profile" --cpu-pid "$mailroom_pid" "$@"
  }
  [ "$warmup" -ge 0 ] || warmup=60
  load --seconds "$warmup" >/dev/null
  for r in $(seq 1 "$rounds"); do
    if [ -n "$jfr" ] && [ "$r" = "$rounds" ]; then
      java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
      sed -e "/\"jdk.ExecutionSample\"/,/<\/event>/s#<setting name=\"period\"[^>]*>[^<]*<#<setting name=\"period\">${JFR_PERIOD:-10 ms}<#" \
        "$java_home/lib/jfr/profile.jfc" > "$work/sample.jfc"
      jcmd "$mailroom_pid" JFR.start name=mix settings="$work/sample.jfc" >/dev/null
    fi
    echo "round${r}_load_average=$(cut -d' ' -f1 /proc/loadavg)"
    load --seconds "$seconds" | sed "s/^/round${r}_/"
  done
  if [ -n "$jfr" ]; then
    jcmd "$mailroom_pid" JFR.dump name=mix filename="$jfr" >/dev/null
    echo "jfr=$jfr"
  fi
elif [ -n "$rtt" ]; then
  [ "$warmup" -ge 0 ] || warmup=5000
  [ -n "$repeat_given" ] || repeat=2000
  python3 "$root/bench/imap_rtt_probe.py" --port "$p_imap" --tls starttls --user "$user" --password "$password" \
    --cpu-pid "$mailroom_pid" --messages "$messages" --warmup "$warmup" --repeat "$repeat" $strace
elif [ -n "$fetch_all" ]; then
  python3 "$root/bench/fetch_all_probe.py" --port "$p_imap" --user "$user" --password "$password" \
    --cpu-pid "$mailroom_pid" --messages "$messages" --repeat "$repeat"
elif [ -n "$phases" ]; then
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
