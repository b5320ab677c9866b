#!/usr/bin/env bash
# Builds the storage benchmark and runs it; extra arguments go to the JVM (e.g. -Dbench.bigMailbox=20000).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -pl bench -am package -DskipTests
exec java -Xmx2g "$@" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.mailroom.bench.StorageBenchmark
