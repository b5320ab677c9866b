#!/usr/bin/env bash
# Builds the importance benchmark and replays an Enron-replay corpus through the importance model.
# Usage: bench/run-importance.sh [CORPUS]   CORPUS: a directory holding users.tsv, a directory holding
# enron-replay-*.tar.xz (default ../shared/corpus), or such a .tar.xz file. Archives are unpacked under
# bench/target/corpus (never into the source tree). JVM options (-Dbench.users=even ...) go in $JAVA_OPTS.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${1:-$here/../shared/corpus}"
corpus="$(cd "$(dirname "$corpus")" && pwd)/$(basename "$corpus")"
unpack() {   # unpacks archive $1 once, prints the directory that holds users.tsv
    local target="$here/bench/target/corpus/$(basename "$1" .tar.xz)"
    if [ ! -f "$target/.unpacked" ]; then
        rm -rf "$target"; mkdir -p "$target"
        tar -xJf "$1" -C "$target"
        touch "$target/.unpacked"
    fi
    dirname "$(find "$target" -name users.tsv | head -1)"
}
if [ -f "$corpus" ]; then
    dir="$(unpack "$corpus")"
elif [ -f "$corpus/users.tsv" ]; then
    dir="$corpus"
elif ls "$corpus"/enron-replay-*.tar.xz >/dev/null 2>&1; then
    dir="$(unpack "$(ls "$corpus"/enron-replay-*.tar.xz | head -1)")"
else
    dir="$(dirname "$(find "$corpus" -maxdepth 3 -name users.tsv | head -1)")"
fi
cd "$here"
if [ -z "${SKIP_BUILD:-}" ]; then
    mvn -B -o -q -pl bench -am package -DskipTests
fi
exec java -Xmx3g ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
    org.mailroom.bench.ImportanceBenchmark "$dir"
