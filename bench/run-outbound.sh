#!/usr/bin/env bash
# Outbound throughput, Mailroom versus Postfix, to the same local sink in the same run.
#
#   bench/run-outbound.sh                       # 10,000 messages each (MESSAGES=2000 for a shorter run)
#   bench/run-outbound.sh -Dbench.threads=16    # extra arguments go to Mailroom's JVM
#
# 1. Postfix's smtp-sink listens on 127.0.0.1:$SINK_PORT and counts the messages it accepts (-c).
# 2. Mailroom: OutboundBenchmark queues $MESSAGES 4 KB messages (20 injecting threads) through the real
#    OutboundService over a fresh Derby store and delivers them to the sink (MX found through a DNS responder on
#    loopback); timed from the first enqueue to an empty queue.
# 3. Postfix: a dedicated instance (its own config, queue and data directories under the work folder, smtpd on
#    127.0.0.1:$RELAY_PORT, transport sink.test -> [127.0.0.1]:$SINK_PORT; the default instance that
#    ../shared/bench/peers.sh runs is not touched) takes $MESSAGES 4 KB messages from smtp-source (20 sessions)
#    and relays them to the same sink; timed from the first injected message until the sink has counted them all.
# Prints key=value lines, then both rates and their ratio. Needs root (Postfix) and Debian's postfix package
# (smtp-sink, smtp-source; `../shared/bench/peers.sh install` installs it). Builds with the reactor, offline.
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/maven.sh"   # bench_mvn
cd "$(dirname "$0")/.."
MESSAGES=${MESSAGES:-10000}
SINK_PORT=${SINK_PORT:-10026}
RELAY_PORT=${RELAY_PORT:-10027}
SESSIONS=${SESSIONS:-20}
for port in "$SINK_PORT" "$RELAY_PORT"; do
  if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
    echo "port $port is already in use (a left-over sink or relay?); set SINK_PORT / RELAY_PORT" >&2; exit 1
  fi
done
for tool in smtp-sink smtp-source postfix postconf; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install postfix" >&2; exit 1; }
done

bench_mvn -pl bench -am package -DskipTests

work=$(mktemp -d /tmp/mailroom-outbound-bench.XXXXXX)
# mktemp makes it 0700: Postfix's daemons (user postfix) must reach the data directory inside.
chmod 755 "$work"
pf="$work/postfix"
sink_pid=""
cleanup() {
  if [ -f "$pf/etc/main.cf" ]; then postfix -c "$pf/etc" stop >/dev/null 2>&1 || true; fi
  if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

# -c: counters on stdout ("sess=N quit=N mesg=N", one per event, separated by CR); -u: the user smtp-sink drops
# to when started as root; 256: listen backlog.
smtp-sink -c -u nobody 127.0.0.1:"$SINK_PORT" 256 > "$work/sink.out" 2>&1 &
sink_pid=$!
sink_count() { tr '\r' '\n' < "$work/sink.out" | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2 || true; }
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/"$SINK_PORT") 2>/dev/null && break; sleep 0.1; done
echo "sink=smtp-sink 127.0.0.1:$SINK_PORT"

# --- Mailroom ---
# Identity values (queue and attempt rows) are handed out 1,000 at a time instead of Derby's 100: under load, the
# system-table update behind each refill was where concurrent inserts ran into 40XL1 "too much contention".
java -Xmx1g -Dderby.language.sequence.preallocator=1000 -Dbench.sinkPort="$SINK_PORT" -Dbench.messages="$MESSAGES" "$@" \
    -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.mailroom.bench.OutboundBenchmark \
    | tee "$work/mailroom.out"
mailroom_rate=$(grep '^delivered_msgs_per_s=' "$work/mailroom.out" | cut -d= -f2)
sleep 1
after_mailroom=$(sink_count); after_mailroom=${after_mailroom:-0}
echo "mailroom_sink_received=$after_mailroom"

# --- Postfix, a dedicated instance relaying to the sink ---
mkdir -p "$pf/etc" "$pf/spool" "$pf/data"
cp /etc/postfix/master.cf.proto "$pf/etc/master.cf"
[ -f /etc/postfix/dynamicmaps.cf ] && cp /etc/postfix/dynamicmaps.cf "$pf/etc/"
: > "$pf/etc/main.cf"
chown postfix "$pf/data"
postconf -c "$pf/etc" -e \
  "compatibility_level = 3.6" "queue_directory = $pf/spool" "data_directory = $pf/data" \
  "inet_interfaces = 127.0.0.1" "inet_protocols = ipv4" "myhostname = relay.bench.localdomain" \
  "mydestination =" "mynetworks = 127.0.0.0/8" "relay_domains = sink.test" \
  "transport_maps = inline:{sink.test=smtp:[127.0.0.1]:$SINK_PORT}" "smtp_dns_support_level = disabled" \
  "alias_maps =" "alias_database =" "local_recipient_maps =" \
  "smtpd_relay_restrictions = permit_mynetworks, reject" "smtp_tls_security_level = none" \
  "smtpd_tls_security_level = none" "syslog_name = postfix-bench" \
  "maillog_file = $pf/postfix.log" "maillog_file_prefixes = $pf"
postconf -c "$pf/etc" -MX smtp/inet
postconf -c "$pf/etc" -M "127.0.0.1:$RELAY_PORT/inet = 127.0.0.1:$RELAY_PORT inet n - n - - smtpd"
postconf -c "$pf/etc" -F '*/*/chroot = n'
postfix -c "$pf/etc" start >/dev/null 2>&1 || { echo "postfix (bench instance) did not start:" >&2; tail -5 "$pf/postfix.log" >&2; exit 1; }
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/"$RELAY_PORT") 2>/dev/null && break; sleep 0.2; done
echo "postfix_version=$(postconf -h mail_version)"
echo "postfix_sessions=$SESSIONS"

start=$(date +%s.%N)
smtp-source -s "$SESSIONS" -m "$MESSAGES" -l 4096 -f bench@example.test -t user@sink.test 127.0.0.1:"$RELAY_PORT"
injected=$(date +%s.%N)
target=$((after_mailroom + MESSAGES))
last_change=$(date +%s); last=$after_mailroom
while :; do
  now_count=$(sink_count); now_count=${now_count:-0}
  [ "$now_count" -ge "$target" ] && break
  if [ "$now_count" != "$last" ]; then last=$now_count; last_change=$(date +%s); fi
  if [ $(( $(date +%s) - last_change )) -gt 120 ]; then
    echo "postfix stalled at $((now_count - after_mailroom)) of $MESSAGES; see $pf/postfix.log" >&2; trap - EXIT; cleanup; exit 1
  fi
  sleep 0.1
done
done_at=$(date +%s.%N)
calc() { awk "BEGIN { print $1 }"; }
postfix_rate=$(calc "$MESSAGES / ($done_at - $start)")
printf 'postfix_inject_seconds=%.1f\n' "$(calc "$injected - $start")"
printf 'postfix_queued_and_delivered_seconds=%.1f\n' "$(calc "$done_at - $start")"
echo "load_average=$(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf 'mailroom_msgs_per_s=%.1f\n' "$mailroom_rate"
printf 'postfix_msgs_per_s=%.1f\n' "$postfix_rate"
printf 'mailroom_to_postfix_ratio=%.2f\n' "$(calc "$mailroom_rate / $postfix_rate")"
