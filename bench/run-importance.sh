#!/usr/bin/env bash
# Builds the importance benchmark and replays an Enron-replay corpus through the importance model.
# Usage: bench/run-importance.sh [CORPUS]   CORPUS: a directory holding users.tsv (or holding, up to three levels
# down, the directory that does), a directory holding enron-replay-*.tar.xz (default ../shared/corpus) or another
# tar archive of the layout, or such an archive itself (.tar.xz, .tar.gz, .tgz, .tar.bz2, .tar). Archives are unpacked under
# bench/target/corpus (never into the source tree). JVM options (-Dbench.users=even ...) go in $JAVA_OPTS.
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/maven.sh"   # bench_mvn
here="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${1:-$here/../shared/corpus}"
corpus="$(cd "$(dirname "$corpus")" && pwd)/$(basename "$corpus")"
unpack() {   # unpacks archive $1 once (tar: xz, gzip, bzip2 or none), prints the directory that holds users.tsv
    local name; name="$(basename "$1")"; name="${name%.tar*}"; name="${name%.tgz}"
    local target="$here/bench/target/corpus/$name"
    if [ ! -f "$target/.unpacked" ]; then
        rm -rf "$target"; mkdir -p "$target"
        tar -xf "$1" -C "$target"
        touch "$target/.unpacked"
    fi
    holder "$target" 6
}
holder() {   # the directory under $1 (at most $2 levels down) that holds users.tsv, or nothing
    local found; found="$(find "$1" -maxdepth "$2" -name users.tsv | sort | head -1)"
    [ -n "$found" ] && dirname "$found"
    return 0
}
if [ -f "$corpus" ]; then
    dir="$(unpack "$corpus")"
elif [ -f "$corpus/users.tsv" ]; then
    dir="$corpus"
elif ls "$corpus"/enron-replay-*.tar.xz >/dev/null 2>&1; then
    dir="$(unpack "$(ls "$corpus"/enron-replay-*.tar.xz | head -1)")"
else
    dir="$(holder "$corpus" 3)"
    if [ -z "$dir" ]; then   # any other archive in the directory that holds the layout
        for archive in "$corpus"/*.tar.xz "$corpus"/*.tar.gz "$corpus"/*.tgz "$corpus"/*.tar.bz2 "$corpus"/*.tar; do
            [ -f "$archive" ] && tar -tf "$archive" 2>/dev/null | grep 'users\.tsv$' >/dev/null && { dir="$(unpack "$archive")"; break; }
        done
    fi
fi
if [ -z "$dir" ] || [ ! -f "$dir/users.tsv" ]; then
    echo "run-importance.sh: no users.tsv in or under $corpus (nor in an archive there): give the replay corpus's directory or archive" >&2
    exit 2
fi
cd "$here"
if [ -z "${SKIP_BUILD:-}" ]; then
    bench_mvn -pl bench -am package -DskipTests
fi
exec java -Xmx3g ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
    org.mailroom.bench.ImportanceBenchmark "$dir"
