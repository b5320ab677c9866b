# Sourced by the benchmark scripts (bash): starts a Mailroom server in the background of the calling shell and
# waits until it says it is running.
#
#   start_mailroom LOG COMMAND...    e.g. start_mailroom "$work/mailroom.log" java -cp "$lib/*" ... start --config F
#
# Sets mailroom_pid to the JVM's own pid (the command is exec'd, so the background job is the JVM, not a subshell):
# its CPU time and memory are what the benchmarks measure, and the caller's cleanup kills and waits for it; and
# mailroom_start_s to the seconds until it said so (the start-up warm-up included: it runs before the listeners
# open, as for a user, unless MAILROOM_WARM_UP=off is in the environment).
# Exits the calling script, with the end of the server's log, if the server dies or is not running within 5 minutes
# (start-up takes minutes on a busy machine).
start_mailroom() {
  local log=$1 started
  shift
  started=$(date +%s.%N)
  (exec "$@" > "$log" 2>&1) &
  mailroom_pid=$!
  for _ in $(seq 1 1500); do
    if grep -q '^Mailroom is running' "$log" 2>/dev/null; then
      mailroom_start_s=$(printf '%.1f' "$(echo "$(date +%s.%N) - $started" | bc -l)")
      return 0
    fi
    kill -0 "$mailroom_pid" 2>/dev/null || { tail -n 40 "$log" >&2; echo "Mailroom did not start" >&2; exit 1; }
    sleep 0.2
  done
  tail -n 40 "$log" >&2
  echo "Mailroom did not start within 5 minutes" >&2
  exit 1
}
