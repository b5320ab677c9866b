#!/usr/bin/env bash
# Spam quality on the SpamAssassin evaluation corpus: trains on dev, reports on holdout (bench/README.md).
# Usage: bench/run-spam-quality.sh [CORPUS_DIR] [--cv K]   (CORPUS_DIR holds spamassassin-eval.tar.xz;
# default ../shared/corpus). Tuning knobs as JVM properties in JAVA_OPTS, e.g. JAVA_OPTS=-Dspam.passes=1.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${1:-$repo/../shared/corpus}"   # a relative CORPUS_DIR is taken from where the script is run
shift || true
[ -d "$corpus" ] || { echo "run-spam-quality.sh: $corpus is not a directory" >&2; exit 2; }
corpus="$(cd "$corpus" && pwd)"
cd "$repo"
archive="$corpus/spamassassin-eval.tar.xz"
[ -f "$archive" ] || { echo "run-spam-quality.sh: $archive not found" >&2; exit 2; }
# One unpacked copy per archive (keyed by its path), under target/: the corpus never enters the source tree.
unpacked="bench/target/corpus-$(realpath "$archive" | md5sum | cut -c1-12)"
if [ ! -f "$unpacked/spamassassin/dev.tsv" ]; then
    mkdir -p "$unpacked"
    tar -xJf "$archive" -C "$unpacked"
fi
mvn -B -q -o -pl bench -am package -DskipTests
exec java -Xmx3g ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
    org.mailroom.bench.SpamQualityBenchmark "$unpacked" "$@"
