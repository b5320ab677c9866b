#!/usr/bin/env bash
# Spam quality on the SpamAssassin evaluation corpus: trains on dev, reports on holdout (bench/README.md).
# Usage: bench/run-spam-quality.sh [CORPUS_DIR] [--cv K]   (CORPUS_DIR holds spamassassin-eval.tar.xz;
# default ../shared/corpus). Tuning knobs as JVM properties in JAVA_OPTS, e.g. JAVA_OPTS=-Dspam.passes=1.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/corpus}"
shift || true
unpacked=bench/target/corpus
if [ ! -f "$unpacked/spamassassin/dev.tsv" ]; then
    mkdir -p "$unpacked"
    tar -xJf "$corpus/spamassassin-eval.tar.xz" -C "$unpacked"
fi
mvn -B -q -o -pl bench -am package -DskipTests
exec java -Xmx3g ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
    org.mailroom.bench.SpamQualityBenchmark "$unpacked" "$@"
