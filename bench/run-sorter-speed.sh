#!/usr/bin/env bash
# Builds the sorter speed benchmark (JMH) and runs it: classification of a 50 KB message without attachments
# through the Sorter with every signal and a dozen rules. Prints JMH's percentiles (p0.99 is the goal's figure).
# Extra arguments go to JMH (e.g. -f 1 -wi 2 -i 3 -prof gc); none means the defaults in SorterSpeedBenchmark.main
# (3 forks, 3 x 3 s warm-up, 5 x 3 s measured, GC profiler: bytes allocated per operation).
# --cpu [N] instead prints CPU time per operation (mean, p50, p99 over N operations; valid on a loaded machine).
#
# The JVM runs with the server's settings: the launchers (./mailroom, the tarball's bin/mailroom) start java with
# no heap or GC options but $MAILROOM_JAVA_OPTS, so the JVM's defaults (G1, heap sized from the machine's memory)
# apply, and the same goes here; JMH's forks inherit these options. A young collection's pause lands inside
# whichever operation is running, so the heap settings decide how often p99 meets one: measure the server's.
#
# The spam model is trained first, as a server's is, on the SpamAssassin dev split of $SPAM_CORPUS (default
# ../shared/corpus, holding spamassassin-eval.tar.xz; unpacked once under bench/target like run-spam-quality.sh).
# Without the corpus the benchmark runs with an untrained spam model and says so.
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/maven.sh"   # bench_mvn
repo="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${SPAM_CORPUS:-$repo/../shared/corpus}"
cd "$repo"
spam_corpus=""
if [ -f "$corpus/spamassassin-eval.tar.xz" ]; then
    archive="$(realpath "$corpus/spamassassin-eval.tar.xz")"
    spam_corpus="bench/target/corpus-$(echo "$archive" | md5sum | cut -c1-12)"
    if [ ! -f "$spam_corpus/spamassassin/dev.tsv" ]; then
        mkdir -p "$spam_corpus"
        tar -xJf "$archive" -C "$spam_corpus"
    fi
    spam_corpus="$(realpath "$spam_corpus")"
fi
bench_mvn -pl bench -am package -DskipTests
# shellcheck disable=SC2086 # MAILROOM_JAVA_OPTS holds several options on purpose, as in the launchers
exec java ${MAILROOM_JAVA_OPTS:-} ${spam_corpus:+-Dbench.spam.corpus=$spam_corpus} \
    -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.mailroom.bench.SorterSpeedBenchmark "$@"
