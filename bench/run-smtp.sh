#!/usr/bin/env bash
# SMTP delivery throughput, Mailroom versus Postfix -> LMTP -> Dovecot, in one run on this machine.
#
#   bench/run-smtp.sh [MESSAGES]        (default 5000; needs root for the peers: apt-get, postfix, dovecot)
#
# The same load goes to both: Postfix's smtp-source, 4 KB messages, 20 concurrent sessions, spread over 50 users
# (one smtp-source process per user, 20 of them running at a time). Measured: messages per second accepted AND
# committed in mailboxes (Mailroom: 250 means committed and sorted, so the load's wall time; Postfix: the time until
# Dovecot's Maildirs hold them all), DATA-to-250 latency p50/p99 from a probe session running during the load, and
# the server's resident memory at the end. Nothing leaves the machine.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
root=$(pwd)
messages=${1:-5000}
users=50
sessions=20
per_user=$(( messages / users ))
peers=${PEERS_SH:-$root/../shared/bench/peers.sh}
work=$(mktemp -d /tmp/mailroom-bench-smtp.XXXXXX)
chmod 755 "$work"   # Dovecot (its own user) reads the peers' state under it
mailroom_pid=""
cleanup() {
    [[ -n "$mailroom_pid" ]] && kill "$mailroom_pid" 2>/dev/null && wait "$mailroom_pid" 2>/dev/null
    bash "$peers" stop "$work/peers" >/dev/null 2>&1 || true
}
trap cleanup EXIT

command -v smtp-source >/dev/null || bash "$peers" install
echo "== building Mailroom"
./mailroom --version >/dev/null

# load PORT: smtp-source per user, $sessions at a time; prints elapsed seconds.
load() {
    local port=$1 start end
    start=$(date +%s.%N)
    seq 1 "$users" | xargs -P "$sessions" -I{} \
        smtp-source -c -l 4096 -m "$per_user" -s 1 -f sender@load.test -t "user{}@example.test" "127.0.0.1:$port" \
        >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

# probe PORT SECONDS: one extra session timing DATA-to-250 while the load runs; prints "p50 p99" in ms.
probe() {
    python3 - "$1" "$2" <<'PY'
import smtplib, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
body = "Subject: probe\r\n\r\n" + ("x" * 76 + "\r\n") * 52
lat = []
s = smtplib.SMTP("127.0.0.1", port, timeout=60)
s.ehlo("probe.test")
end = time.time() + seconds
while time.time() < end:
    s.mail("probe@load.test"); s.rcpt("user1@example.test")
    code, _ = s.docmd("DATA")
    assert code == 354, code
    t = time.perf_counter()
    s.send((body + ".\r\n").encode())
    code, _ = s.getreply()
    lat.append((time.perf_counter() - t) * 1000)
    assert code == 250, code
s.quit()
lat.sort()
print("%.1f %.1f %d" % (lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))], len(lat)))
PY
}

echo "== Postfix -> Dovecot (peers.sh)"
bash "$peers" start "$work/peers" >/dev/null
probe 10025 5 > "$work/postfix-probe" &
probe_pid=$!
start=$(date +%s.%N)
load 10025 >/dev/null
wait "$probe_pid"   # its messages are delivered too: wait for the load and the probe's
expected=$(( messages + $(awk '{print $3}' "$work/postfix-probe") ))
while [[ $(bash "$peers" count "$work/peers") -lt $expected ]]; do sleep 0.2; done
postfix_seconds=$(echo "$(date +%s.%N) - $start" | bc -l)
postfix_rss=$(ps -C smtpd,cleanup,qmgr,lmtp,dovecot,master -o rss= | awk '{s+=$1} END {print int(s/1024)}')
bash "$peers" stop "$work/peers" >/dev/null

echo "== Mailroom"
mkdir -p "$work/mailroom"
cat > "$work/mailroom/mailroom.yaml" <<YAML
storage:
  data-dir: $work/mailroom/data
smtp:
  port: 12525
imap:
  port: 0
  tls-port: 0
submission:
  port: 0
  tls-port: 0
YAML
./mailroom --config "$work/mailroom/mailroom.yaml" admin domain add example.test >/dev/null
for i in $(seq 1 "$users"); do
    echo bench-password | ./mailroom --config "$work/mailroom/mailroom.yaml" admin user add "user$i@example.test" \
        --password-stdin >/dev/null
done
./mailroom --config "$work/mailroom/mailroom.yaml" start > "$work/mailroom/out.log" 2>&1 &
mailroom_pid=$!
for _ in $(seq 1 240); do grep -q "Mailroom is running" "$work/mailroom/out.log" && break; sleep 0.5; done
probe 12525 5 > "$work/mailroom-probe" &
probe_pid=$!
mailroom_seconds=$(load 12525)
wait "$probe_pid"
java_pid=$(pgrep -P "$mailroom_pid" java || echo "$mailroom_pid")
mailroom_rss=$(ps -o rss= -p "$java_pid" | awk '{print int($1/1024)}')

read -r pp50 pp99 pn < "$work/postfix-probe"
read -r mp50 mp99 mn < "$work/mailroom-probe"
printf '%-22s %10s %12s %12s %10s\n' server "msgs/s" "p50 250 ms" "p99 250 ms" "RSS MB"
printf '%-22s %10.0f %12s %12s %10s\n' "postfix->dovecot" "$(echo "$messages / $postfix_seconds" | bc -l)" \
    "$pp50" "$pp99" "$postfix_rss"
printf '%-22s %10.0f %12s %12s %10s\n' "mailroom" "$(echo "$messages / $mailroom_seconds" | bc -l)" \
    "$mp50" "$mp99" "$mailroom_rss"
echo "($messages messages x 4 KB, $sessions sessions over $users users; probe samples: postfix $pn, mailroom $mn)"
