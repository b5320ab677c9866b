#!/usr/bin/env bash
# Outbound throughput: Postfix's smtp-sink on 127.0.0.1:$SINK_PORT takes what Mailroom's outbound queue delivers.
# Builds smtp + bench, starts the sink, runs OutboundBenchmark, stops the sink. Extra arguments go to the JVM
# (e.g. -Dbench.messages=2000 -Dbench.threads=8). Needs postfix (smtp-sink) from Debian.
set -euo pipefail
cd "$(dirname "$0")/.."
SINK_PORT=${SINK_PORT:-10026}
mvn -q -o -pl bench -am package -DskipTests
# -u: the user smtp-sink drops to when started as root; 256: listen backlog.
smtp-sink -u nobody 127.0.0.1:"$SINK_PORT" 256 &
sink=$!
trap 'kill "$sink" 2>/dev/null || true' EXIT
sleep 1
java -Xmx1g -Dbench.sinkPort="$SINK_PORT" "$@" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
    org.mailroom.bench.OutboundBenchmark
