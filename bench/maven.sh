# Sourced by the bench scripts: bench_mvn ARGS... runs Maven offline when every artifact is already in the local
# repository (quick, no network check) and online otherwise, so a script also works on a fresh machine whose
# ~/.m2 has not yet seen the bench module's dependencies (JMH...). The offline attempt's output is dropped: if it
# fails for a reason the online build shares, the online build prints it.
bench_mvn() {
  mvn -B -q -o "$@" >/dev/null 2>&1 || mvn -B -q "$@"
}
