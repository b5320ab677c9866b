#!/usr/bin/env bash
# The mixed IMAP load of run-imap.sh (bench/imap_load.py over STARTTLS) against a warm Mailroom, on free ports:
# starts Mailroom (this checkout's dist build, or MAILROOM_LIB) with its data in a temporary folder, adds user1..N
# through the running server's admin endpoint, fills each INBOX over SMTP as run-imap.sh does, runs the load
# --warmup seconds unmeasured (the JIT compiles the commands' code), then --seconds measured.
#
#   bench/run-imap-mix.sh [--clients 20] [--fill 200] [--warmup 60] [--seconds 30] [--rounds 1] [--jfr FILE]
#   MAILROOM_LIB=/path/to/other/lib bench/run-imap-mix.sh      # another build (e.g. before a change)
#   MAILROOM_JAVA_OPTS=...   JVM options for the server
#   JFR_PERIOD=2ms           the JFR's execution sample period (profile settings: 10 ms for Java code)
#
# --rounds R measures R windows of --seconds one after the other on the same warm server (the spread of one build).
# --jfr FILE records the last measured window with the profile settings and JFR_PERIOD's sampling.
# Prints imap_load.py's key=value lines per window (commands_per_s, server_cpu_ms_per_command, thread_* ...),
# prefixed round<N>_. Unlike run-imap.sh it needs no root and no fixed port, so it can run beside other work.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source bench/start-mailroom.sh
clients=20; fill_messages=200; warmup=60; seconds=30; rounds=1; jfr=
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients=$2; shift 2 ;;
    --fill) fill_messages=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --jfr) jfr=$(realpath -m "$2"); shift 2 ;;
    *) sed -n '2,15p' "$0"; exit 2 ;;
  esac
done
lib=${MAILROOM_LIB:-}
if [ -z "$lib" ]; then
  mvn -B -q -o -pl dist -am -DskipTests package >/dev/null
  lib="$root/dist/target/lib"
fi
work=$(mktemp -d /tmp/mailroom-imap-mix.XXXXXX)
mailroom_pid=""
cleanup() {
  [ -n "$mailroom_pid" ] && kill "$mailroom_pid" 2>/dev/null && wait "$mailroom_pid" 2>/dev/null || true
  [ -f "$work/mailroom.log" ] && cp "$work/mailroom.log" /tmp/mailroom-imap-mix-last.log
  rm -rf "$work"
}
trap cleanup EXIT

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
password=benchpass1
run admin domain add example.test >/dev/null
# shellcheck disable=SC2086 # MAILROOM_JAVA_OPTS holds several options on purpose
start_mailroom "$work/mailroom.log" java ${MAILROOM_JAVA_OPTS:-} -cp "$lib/*" -Dmailroom.home="$root" org.mailroom.dist.Main start \
  --config "$work/mailroom.yaml"
# users through the running server's admin endpoint (as run-smtp.sh: no client JVM per user)
endpoint_port=$(sed -n 's/^port=//p' "$work/data/admin-endpoint")
endpoint_token=$(sed -n 's/^token=//p' "$work/data/admin-endpoint")
for u in $(seq 1 "$clients"); do
  reply=$(curl -sS -H "Authorization: Bearer $endpoint_token" -H 'Content-Type: application/json' \
    --data "{\"args\":[\"admin\",\"user\",\"add\",\"user$u@example.test\",\"--password-stdin\"],\"stdin\":\"$password\\n\",\"workingDirectory\":\"$work\"}" \
    "http://127.0.0.1:$endpoint_port/admin/run")
  [[ "$reply" == *'"exitCode":0'* ]] || { echo "adding user$u failed: $reply" >&2; exit 1; }
done
# the fill of run-imap.sh: the same messages over SMTP (Mailroom commits each before its 250)
python3 - "$p_smtp" "$clients" "$fill_messages" <<'PY'
import smtplib, sys
port, clients, messages = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
body = "".join("Line %d of a message that fills the mailbox for the IMAP benchmark.\r\n" % i for i in range(50))
with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
    for n in range(messages):
        for i in range(1, clients + 1):
            to = "user%d@example.test" % i
            msg = ("From: filler@example.org\r\nTo: %s\r\nSubject: fill %d for %s\r\n"
                   "Message-ID: <fill.%d.%d@example.org>\r\n\r\n%s") % (to, n, to, n, i, body)
            smtp.sendmail("filler@example.org", [to], msg)
PY

echo "date=$(date -u +%FT%TZ)"
echo "nproc=$(nproc)"
echo "lib=$lib"
load() {
  python3 "$root/bench/imap_load.py" --port "$p_imap" --tls starttls --password "$password" --clients "$clients" \
    --keep "$fill_messages" --cpu-pid "$mailroom_pid" "$@"
}
echo "load_average_before_warmup=$(cut -d' ' -f1 /proc/loadavg)"
load --seconds "$warmup" >/dev/null
for r in $(seq 1 "$rounds"); do
  if [ -n "$jfr" ] && [ "$r" = "$rounds" ]; then
    java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    period=${JFR_PERIOD:-10 ms}
    sed -e "/\"jdk.ExecutionSample\"/,/<\/event>/s#<setting name=\"period\"[^>]*>[^<]*<#<setting name=\"period\">$period<#" \
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
echo "load_average_at_end=$(cut -d' ' -f1 /proc/loadavg)"
