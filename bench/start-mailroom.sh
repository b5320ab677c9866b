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

# mailroom_config_on_free_ports WORK: writes WORK/mailroom.yaml, conf/mailroom.yaml with its data in WORK/data, SPF
# off and six free ports, so that the run does not collide with a server on the default ones; sets p_smtp, p_sub,
# p_subtls, p_imap, p_imaptls and p_http. Called from the checkout's root.
mailroom_config_on_free_ports() {
  local work=$1
  read -r p_smtp p_sub p_subtls p_imap p_imaptls p_http < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()')
  sed -e "s#data-dir: ./data#data-dir: $work/data#" -e "s#^  spf: true#  spf: false#" \
    -e "s#^  port: 2525#  port: $p_smtp#" -e "s#^  port: 2587#  port: $p_sub#" -e "s#^  tls-port: 2465#  tls-port: $p_subtls#" \
    -e "s#^  port: 2143#  port: $p_imap#" -e "s#^  tls-port: 2993#  tls-port: $p_imaptls#" -e "s#^  port: 8025#  port: $p_http#" \
    conf/mailroom.yaml > "$work/mailroom.yaml"
}

# add_users_through_endpoint DATA_DIR WORKING_DIR PASSWORD COUNT: adds user1..userCOUNT@example.test through the
# running server's admin endpoint (what `admin user add` does, without starting a client JVM per user: 50 of those
# took minutes on a busy machine); port and token from the endpoint's owner-only file in DATA_DIR. Exits on a failure.
add_users_through_endpoint() {
  local data=$1 dir=$2 password=$3 count=$4 port token reply u
  port=$(sed -n 's/^port=//p' "$data/admin-endpoint")
  token=$(sed -n 's/^token=//p' "$data/admin-endpoint")
  for u in $(seq 1 "$count"); do
    reply=$(curl -sS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data "{\"args\":[\"admin\",\"user\",\"add\",\"user$u@example.test\",\"--password-stdin\"],\"stdin\":\"$password\\n\",\"workingDirectory\":\"$dir\"}" \
      "http://127.0.0.1:$port/admin/run")
    [[ "$reply" == *'"exitCode":0'* ]] || { echo "adding user$u failed: $reply" >&2; exit 1; }
  done
}

# fill_over_smtp PORT CLIENTS MESSAGES: MESSAGES messages (~3.5 KB) to each of user1..userCLIENTS@example.test over
# SMTP on 127.0.0.1:PORT, one session; exits non-zero on any refusal. The IMAP benchmarks' mixed load reads them.
fill_over_smtp() {
  python3 - "$1" "$2" "$3" <<'PY'
import smtplib, sys
port, clients, messages = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
body = "".join("Line %d of a message that fills the mailbox for the IMAP benchmark.\r\n" % i for i in range(50))
with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
    for n in range(messages):
        for i in range(1, clients + 1):
            to = "user%d@example.test" % i
            msg = ("From: filler@example.org\r\nTo: %s\r\nSubject: fill %d for %s\r\n"
                   "Message-ID: <fill.%d.%d@example.org>\r\n\r\n%s") % (to, n, to, n, i, body)
            smtp.sendmail("filler@example.org", [to], msg)
PY
}
