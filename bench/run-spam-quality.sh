#!/usr/bin/env bash
# Spam quality on the SpamAssassin evaluation corpus: trains on dev, reports on holdout (bench/README.md).
# Usage: bench/run-spam-quality.sh [CORPUS_DIR] [--cv K]   (CORPUS_DIR holds spamassassin-eval.tar.xz, default
# ../shared/corpus; or another tar archive of that layout, or the unpacked layout itself (spamassassin/dev.tsv);
# CORPUS_DIR may also be the archive). Tuning knobs as JVM properties in JAVA_OPTS, e.g. JAVA_OPTS=-Dspam.passes=1.
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/maven.sh"   # bench_mvn
repo="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${1:-$repo/../shared/corpus}"   # a relative CORPUS_DIR is taken from where the script is run
shift || true
[ -e "$corpus" ] || { echo "run-spam-quality.sh: $corpus does not exist" >&2; exit 2; }
corpus="$(realpath "$corpus")"
cd "$repo"
archive=""
unpacked=""
if [ -f "$corpus" ]; then
    archive="$corpus"
elif [ -f "$corpus/spamassassin/dev.tsv" ]; then
    unpacked="$corpus"
elif [ -f "$corpus/spamassassin-eval.tar.xz" ]; then
    archive="$corpus/spamassassin-eval.tar.xz"
else
    for candidate in "$corpus"/*.tar.xz "$corpus"/*.tar.gz "$corpus"/*.tgz "$corpus"/*.tar; do
        [ -f "$candidate" ] && tar -tf "$candidate" 2>/dev/null | grep 'spamassassin/dev\.tsv$' >/dev/null \
            && { archive="$candidate"; break; }
    done
    [ -n "$archive" ] || { echo "run-spam-quality.sh: neither spamassassin/dev.tsv nor an archive holding it in $corpus" >&2; exit 2; }
fi
if [ -n "$archive" ]; then
    # One unpacked copy per archive (keyed by its path), under target/: the corpus never enters the source tree.
    unpacked="bench/target/corpus-$(realpath "$archive" | md5sum | cut -c1-12)"
    if [ ! -f "$unpacked/.unpacked" ] && [ ! -f "$unpacked/spamassassin/dev.tsv" ]; then
        rm -rf "$unpacked"; mkdir -p "$unpacked"
        tar -xf "$archive" -C "$unpacked"
        touch "$unpacked/.unpacked"
    fi
    # an archive may wrap the layout in a folder of its own
    found="$(find "$unpacked" -maxdepth 4 -path '*/spamassassin/dev.tsv' | sort | head -1)"
    [ -n "$found" ] || { echo "run-spam-quality.sh: $archive holds no spamassassin/dev.tsv" >&2; exit 2; }
    unpacked="$(dirname "$(dirname "$found")")"
fi
bench_mvn -pl bench -am package -DskipTests
exec java -Xmx3g ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
    org.mailroom.bench.SpamQualityBenchmark "$unpacked" "$@"
