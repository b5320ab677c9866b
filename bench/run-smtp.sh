#!/usr/bin/env bash
# SMTP delivery throughput, Mailroom versus Postfix -> LMTP -> Dovecot, in one run on this machine.
#
#   bench/run-smtp.sh [--only postfix|mailroom] [MESSAGES]   (default 5000; root for the peers: apt-get, postfix)
#
# The same load goes to both: Postfix's smtp-source, 4 KB messages, 20 concurrent sessions, spread over 50 users
# (one smtp-source process per user, 20 of them running at a time), plus one probe session timing DATA-to-250.
# Measured: messages per second accepted by SMTP and delivered into mailboxes (Mailroom: 250 means committed and
# sorted, so the load's wall time, checked against the server's own "delivered" log lines; Postfix: its 250 means
# queued, so the time until Dovecot's Maildirs hold them all), DATA-to-250 latency p50/p99 from the probe, the
# server's resident memory at the end, and Mailroom's CPU time per message (user+system of its JVM during the load;
# the figure to compare on a busy machine, where wall-clock rates mostly measure the other processes; and
# _with_background: until the JVM is idle again, the learning thread's backlog included), and the part of it the JIT
# compiler threads took (mailroom_jit_cpu_ms_per_msg), the JVM's voluntary context switches per message
# (mailroom_context_switches_per_msg: thread hand-offs, which cost kernel CPU that no Java profile shows), and the
# CPU per message by kind of thread (mailroom_thread_cpu_ms_per_msg: SMTP workers, I/O, GC, JIT, learning...).
# Mailroom runs from this checkout's dist/target/lib, built with `mvn -pl dist -am package` (never install);
# MAILROOM_LIB=DIR runs the jars in DIR instead, unbuilt (e.g. a copy of an older build, to compare).
# SESSIONS=N changes the 20 concurrent sessions. MAILROOM_JAVA_OPTS adds JVM options to the server.
# MAILROOM_PRELOAD=N sends N messages of the same load to the started server before the measured load, so the
# figures are a warmed-up JVM's (the JIT compilers' one-off work on the hot paths mostly done): what a long-running
# server pays per message. Diagnostic only; issue 4's figures are a freshly started server's (the default). (Called
# MAILROOM_WARM_UP before the server's own start-up warm-up took that name: MAILROOM_WARM_UP=on or off reaches the
# server and decides whether it warms up before it opens, see dist/README.md, "Start-up warm-up"; the server starts
# as a user's does, warm-up on by default. MAILROOM_WARM_UP_MESSAGES=N sets its budget, server.warm-up.messages.)
# Printed about the start: mailroom_start_s (wall until "Mailroom is running"), mailroom_start_cpu_s (the JVM's
# user+system CPU by then) and mailroom_started_rss_mb (its resident memory then, before any user exists).
# Profiling the Mailroom half (both cost CPU of their own: compare runs made with the same options):
#   MAILROOM_JFR=FILE          a JFR recording (settings=profile) of the load only, started and stopped with jcmd;
#                              summarise with `java bench/JfrTop.java FILE`
#   MAILROOM_COUNT_SQL=1       Derby logs every statement it executes (derby.language.logStatementText); prints the
#                              statements and commits per message during the load (mailroom_sql_per_msg=...);
#                              MAILROOM_SQL_LOG=FILE keeps that statement log (e.g. to count statements by text)
# Nothing leaves the machine.
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/maven.sh"   # bench_mvn
cd "$(dirname "$(readlink -f "$0")")/.."
root=$(pwd)
source bench/start-mailroom.sh
only=""
if [[ "${1:-}" == "--only" ]]; then only=$2; shift 2; fi
messages=${1:-5000}
users=50
sessions=${SESSIONS:-20}
# MAILROOM_SMTP_PORT=N moves Mailroom's listener off 12525 (two engineers benchmarking on one machine).
mailroom_port=${MAILROOM_SMTP_PORT:-12525}
per_user=$(( messages / users ))
messages=$(( per_user * users ))
peers=${PEERS_SH:-$root/../shared/bench/peers.sh}
work=$(mktemp -d /tmp/mailroom-bench-smtp.XXXXXX)
chmod 755 "$work"   # Dovecot (its own user) reads the peers' state under it
mailroom_pid=""
cleanup() {
    if [[ -n "$mailroom_pid" ]]; then kill "$mailroom_pid" 2>/dev/null && wait "$mailroom_pid" 2>/dev/null || true; fi
    bash "$peers" stop "$work/peers" >/dev/null 2>&1 || true
    [[ -f "$work/mailroom/out.log" ]] && cp "$work/mailroom/out.log" /tmp/mailroom-bench-smtp-last.log
    if [[ -n "${MAILROOM_SQL_LOG:-}" && -f "$work/mailroom/derby-statements.log" ]]; then
        cp "$work/mailroom/derby-statements.log" "$MAILROOM_SQL_LOG"
    fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "date=$(date -u +%FT%TZ) nproc=$(nproc) load_average_at_start=$(cut -d' ' -f1 /proc/loadavg)"
command -v smtp-source >/dev/null || bash "$peers" install

# load PORT [PER_USER]: smtp-source per user, $sessions at a time; prints elapsed seconds.
load() {
    local port=$1 count=${2:-$per_user} start end
    start=$(date +%s.%N)
    seq 1 "$users" | xargs -P "$sessions" -I{} \
        smtp-source -c -l 4096 -m "$count" -s 1 -f sender@load.test -t "user{}@example.test" "127.0.0.1:$port" \
        >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

# probe PORT SECONDS: one extra session timing DATA-to-250 while the load runs; prints "p50 p99 count" in ms.
probe() {
    python3 - "$1" "$2" <<'PY'
import smtplib, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
body = "Subject: probe\r\n\r\n" + ("x" * 76 + "\r\n") * 52
lat = []
s = smtplib.SMTP("127.0.0.1", port, timeout=60)
s.ehlo("probe.test")
end = time.time() + seconds
while time.time() < end:
    s.mail("probe@load.test"); s.rcpt("user1@example.test")
    code, _ = s.docmd("DATA")
    assert code == 354, code
    t = time.perf_counter()
    s.send((body + ".\r\n").encode())
    code, _ = s.getreply()
    lat.append((time.perf_counter() - t) * 1000)
    assert code == 250, code
s.quit()
lat.sort()
print("%.1f %.1f %d" % (lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))], len(lat)))
PY
}

# sql_counts: statements Derby executed so far, then commits (lines of its statement log).
sql_counts() {
    local log=$work/mailroom/derby-statements.log
    echo "$(grep -c 'Executing prepared statement\|Executing statement' "$log" || true) $(grep -c 'Committing' "$log" || true)"
}

# cpu_ticks PID: user+system clock ticks the process has used so far (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$1/stat"
}

# context_switches PID: voluntary context switches of the JVM's live threads so far: a thread that parks (waiting
# for a hand-off, a lock, a reply) and is woken again; that costs CPU in the kernel, which no Java profile shows.
# Involuntary switches (preemption) are left out: they count the machine's load, not the server's design.
context_switches() {
    cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches:/ {s += $2} END {print s + 0}'
}

# by_thread_kind PID ticks|switches: "group value" lines, a figure of the JVM's live threads so far summed by kind of
# thread (the name without its number): "ticks", the user+system clock ticks, says which threads the CPU per message
# goes to; "switches", the voluntary context switches, which hand-offs the switches per message are (an I/O thread
# woken by a worker's reply, a worker woken by a read or by the append it waits for...).
by_thread_kind() {
    local task
    for task in /proc/"$1"/task/*; do
        printf '%s\t%s\n' "$(sed 's/[-#0-9 ]*$//' "$task/comm" 2>/dev/null)" \
            "$(if [[ $2 == ticks ]]; then sed 's/^.*) //' "$task/stat" 2>/dev/null | awk '{print $12 + $13}'
               else awk '/^voluntary_ctxt_switches:/ {print $2}' "$task/status" 2>/dev/null; fi)"
    done | awk -F'\t' '$2 != "" {s[$1] += $2} END {for (g in s) print g "\t" s[g]}'
}

if [[ "$only" != "mailroom" ]]; then
    echo "== Postfix -> Dovecot (peers.sh)"
    bash "$peers" start "$work/peers" >/dev/null
    probe 10025 5 > "$work/postfix-probe" &
    probe_pid=$!
    start=$(date +%s.%N)
    load 10025 >/dev/null
    wait "$probe_pid"   # its messages are delivered too: wait for the load and the probe's
    expected=$(( messages + $(awk '{print $3}' "$work/postfix-probe") ))
    while [[ $(bash "$peers" count "$work/peers") -lt $expected ]]; do sleep 0.2; done
    postfix_seconds=$(echo "$(date +%s.%N) - $start" | bc -l)
    postfix_rss=$(ps -C smtpd,cleanup,qmgr,lmtp,dovecot,master -o rss= | awk '{s+=$1} END {print int(s/1024)}')
    bash "$peers" stop "$work/peers" >/dev/null
    read -r pp50 pp99 pn < "$work/postfix-probe"
    postfix_rate=$(echo "$messages / $postfix_seconds" | bc -l)
    printf 'postfix_delivered_msgs_per_s=%.0f\npostfix_p50_ms=%s\npostfix_p99_ms=%s\npostfix_rss_mb=%s\n' \
        "$postfix_rate" "$pp50" "$pp99" "$postfix_rss"
fi

# jit_ticks PID: user+system clock ticks of the JVM's JIT compiler threads so far (C1/C2 CompilerThreadN; a compiler
# thread the JVM retires takes its ticks with it, so this can only under-count).
jit_ticks() {
    local total=0 task
    for task in /proc/"$1"/task/*; do
        case "$(cat "$task/comm" 2>/dev/null)" in
            C1\ CompilerThre*|C2\ CompilerThre*)
                total=$(( total + $(sed 's/^.*) //' "$task/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0) )) ;;
        esac
    done
    echo "$total"
}

# jit_counters PID: "compiles osr_compiles classes_loaded" so far, from the JVM's own performance counters (jcmd
# PerfCounter.print: no JVM option needed): how much the JIT compiled, and how many classes were loaded (each new
# class's hot methods are compiled anew). Deoptimisations have no counter: see bench/README.md (JIT) for the log.
jit_counters() {
    jcmd "$1" PerfCounter.print 2>/dev/null | awk -F= '
        $1 == "sun.ci.standardCompiles" {c = $2} $1 == "sun.ci.osrCompiles" {o = $2}
        $1 == "java.cls.loadedClasses" {l = $2}
        END {print c + 0, o + 0, l + 0}'
}

# jvm_uptime PID: seconds since the JVM started, the clock of its -XX:+LogCompilation and -Xlog records.
jvm_uptime() {
    jcmd "$1" VM.uptime 2>/dev/null | awk '$2 == "s" {print $1}'
}

if [[ "$only" != "postfix" ]]; then
    lib=${MAILROOM_LIB:-}
    if [[ -z "$lib" ]]; then
        echo "== Mailroom (building: mvn -pl dist -am package)"
        bench_mvn -pl dist -am -DskipTests package >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; exit 1; }
        lib=$root/dist/target/lib
    else
        echo "== Mailroom (jars in $lib)"
    fi
    sql_opts=""
    if [[ -n "${MAILROOM_COUNT_SQL:-}" ]]; then
        sql_opts="-Dderby.language.logStatementText=true -Dderby.stream.error.file=$work/mailroom/derby-statements.log"
    fi
    # The server gets MAILROOM_JAVA_OPTS; the admin client below does not (a -XX:LogFile=, -Xlog:...:file= or JFR
    # option meant for the server would otherwise be written over by the client JVM's own).
    admin=(java -Dmailroom.home="$root" -cp "$lib/*" org.mailroom.dist.Main --config "$work/mailroom/mailroom.yaml")
    mailroom=(java ${MAILROOM_JAVA_OPTS:-} $sql_opts -Dmailroom.home="$root" -cp "$lib/*" org.mailroom.dist.Main
        --config "$work/mailroom/mailroom.yaml")
    mkdir -p "$work/mailroom"
    # The load opens 20 sessions and the probe one more, all from 127.0.0.1: above the default of 20 per IP.
    cat > "$work/mailroom/mailroom.yaml" <<YAML
storage:
  data-dir: $work/mailroom/data
smtp:
  port: $mailroom_port
  max-connections-per-ip: 100
imap:
  port: 0
  tls-port: 0
submission:
  port: 0
  tls-port: 0
http:
  port: 0
YAML
    if [[ -n "${MAILROOM_WARM_UP_MESSAGES:-}" ]]; then
        printf 'server:\n  warm-up:\n    messages: %s\n' "$MAILROOM_WARM_UP_MESSAGES" >> "$work/mailroom/mailroom.yaml"
    fi
    start_mailroom "$work/mailroom/out.log" "${mailroom[@]}" start
    printf 'mailroom_warm_up=%s mailroom_start_s=%s mailroom_start_cpu_s=%.1f mailroom_started_rss_mb=%s\n' \
        "${MAILROOM_WARM_UP:-default}" "$mailroom_start_s" \
        "$(echo "$(cpu_ticks "$mailroom_pid") / $(getconf CLK_TCK)" | bc -l)" \
        "$(ps -o rss= -p "$mailroom_pid" | awk '{print int($1/1024)}')"
    grep -h 'warmed up in\|warm-up failed' "$work/mailroom/out.log" || true
    # Admin commands go to the running server (a client JVM each, no store of its own to open); the JVM starts
    # are what takes time, so 8 run at once.
    "${admin[@]}" admin domain add example.test >/dev/null
    # The users go through the running server's admin endpoint (no client JVM per user; bench/start-mailroom.sh).
    add_users_through_endpoint "$work/mailroom/data" "$work" bench-password "$users"
    warm_up=0
    if [[ -n "${MAILROOM_PRELOAD:-}" ]]; then
        warm_up=$(( MAILROOM_PRELOAD / users * users ))
        echo "warm_up_messages=$warm_up warm_up_s=$(printf '%.1f' "$(load "$mailroom_port" $(( warm_up / users )))")"
    fi
    if [[ -n "${MAILROOM_JFR:-}" ]]; then
        jcmd "$mailroom_pid" JFR.start name=load settings=profile filename="$(readlink -f "$MAILROOM_JFR")" >/dev/null
    fi
    sql_before=0
    if [[ -n "${MAILROOM_COUNT_SQL:-}" ]]; then sql_before=$(sql_counts); fi
    ticks_before=$(cpu_ticks "$mailroom_pid")
    jit_before=$(jit_ticks "$mailroom_pid")
    read -r compiles_before osr_before classes_before <<< "$(jit_counters "$mailroom_pid")"
    uptime_before=$(jvm_uptime "$mailroom_pid")
    switches_before=$(context_switches "$mailroom_pid")
    by_thread_kind "$mailroom_pid" ticks > "$work/threads-before"
    by_thread_kind "$mailroom_pid" switches > "$work/switches-before"
    probe "$mailroom_port" 5 > "$work/mailroom-probe" &
    probe_pid=$!
    mailroom_seconds=$(load "$mailroom_port")
    wait "$probe_pid"
    ticks_after=$(cpu_ticks "$mailroom_pid")
    jit_after=$(jit_ticks "$mailroom_pid")
    read -r compiles_after osr_after classes_after <<< "$(jit_counters "$mailroom_pid")"
    uptime_after=$(jvm_uptime "$mailroom_pid")
    switches_after=$(context_switches "$mailroom_pid")
    by_thread_kind "$mailroom_pid" ticks > "$work/threads-after"
    by_thread_kind "$mailroom_pid" switches > "$work/switches-after"
    if [[ -n "${MAILROOM_JFR:-}" ]]; then jcmd "$mailroom_pid" JFR.stop name=load >/dev/null; fi
    if [[ -n "${MAILROOM_COUNT_SQL:-}" ]]; then sql_after=$(sql_counts); fi
    mailroom_rss=$(ps -o rss= -p "$mailroom_pid" | awk '{print int($1/1024)}')
    # Work the delivery left for background threads (the learning thread records each arrival for the importance
    # model after the 250) still runs after the load: wait until the JVM is idle (under 5% of a core for 2 s, at
    # most 5 min) and count that CPU too, or a backlog would make the figure look cheaper than it is.
    settle_start=$(date +%s)
    while (( $(date +%s) - settle_start < 300 )); do
        t1=$(cpu_ticks "$mailroom_pid"); sleep 2; t2=$(cpu_ticks "$mailroom_pid")
        (( (t2 - t1) * 100 < 5 * 2 * $(getconf CLK_TCK) )) && break
    done
    ticks_settled=$(cpu_ticks "$mailroom_pid")
    settle_seconds=$(( $(date +%s) - settle_start ))
    read -r mp50 mp99 mn < "$work/mailroom-probe"
    # Every 250 is a commit; the server logs one line per answered message (TransactionLog, result=accepted).
    committed=$(( $(grep -c 'TransactionLog - smtp mx .* result=accepted' "$work/mailroom/out.log" || true) - warm_up ))
    mailroom_rate=$(echo "$messages / $mailroom_seconds" | bc -l)
    cpu_ms=$(echo "($ticks_after - $ticks_before) * 1000 / $(getconf CLK_TCK) / ($messages + $mn)" | bc -l)
    printf 'mailroom_committed_msgs_per_s=%.0f\nmailroom_committed=%s of %s\nmailroom_p50_ms=%s\nmailroom_p99_ms=%s\n' \
        "$mailroom_rate" "$committed" "$(( messages + mn ))" "$mp50" "$mp99"
    cpu_ms_settled=$(echo "($ticks_settled - $ticks_before) * 1000 / $(getconf CLK_TCK) / ($messages + $mn)" | bc -l)
    printf 'mailroom_cpu_ms_per_msg=%.2f\nmailroom_cpu_ms_per_msg_with_background=%.2f\nmailroom_background_s=%s\nmailroom_rss_mb=%s\n' \
        "$cpu_ms" "$cpu_ms_settled" "$settle_seconds" "$mailroom_rss"
    # Of the CPU during the load, what the JIT compilers took (a cold JVM compiles the hot paths as the load runs).
    printf 'mailroom_jit_cpu_ms_per_msg=%.2f\n' \
        "$(echo "($jit_after - $jit_before) * 1000 / $(getconf CLK_TCK) / ($messages + $mn)" | bc -l)"
    # The compilations behind that CPU during the load (C1 and C2 tiers together; a hot method is compiled two to
    # four times on its way to C2), and the classes loaded.
    printf 'mailroom_jit_compiles=%s mailroom_jit_osr_compiles=%s mailroom_classes_loaded=%s\n' \
        "$(( compiles_after - compiles_before ))" "$(( osr_after - osr_before ))" "$(( classes_after - classes_before ))"
    # The load's window on the JVM's clock, to read a -XX:+LogCompilation file for the load alone (bench/jit-log.py).
    echo "mailroom_load_jvm_uptime_s=$uptime_before-$uptime_after"
    printf 'mailroom_context_switches_per_msg=%.1f\n' \
        "$(echo "($switches_after - $switches_before) / ($messages + $mn)" | bc -l)"
    # The same CPU by kind of thread (threads that ended during the load take their ticks with them).
    awk -F'\t' -v per=$(( messages + mn )) -v tck="$(getconf CLK_TCK)" \
        'NR == FNR {b[$1] = $2; next} {d = ($2 - b[$1]) * 1000 / tck / per; if (d >= 0.01) printf "%s=%.2f\n", $1, d}' \
        "$work/threads-before" "$work/threads-after" | sort -t= -k2 -rn \
        | awk '{printf "%s%s", (NR > 1 ? " " : "mailroom_thread_cpu_ms_per_msg: "), $0} END {print ""}'
    # The voluntary switches by kind of thread (a thread that parks and is woken: one per hand-off it waits for).
    awk -F'\t' -v per=$(( messages + mn )) \
        'NR == FNR {b[$1] = $2; next} {d = ($2 - b[$1]) / per; if (d >= 0.05) printf "%s=%.1f\n", $1, d}' \
        "$work/switches-before" "$work/switches-after" | sort -t= -k2 -rn \
        | awk '{printf "%s%s", (NR > 1 ? " " : "mailroom_thread_switches_per_msg: "), $0} END {print ""}'
    if [[ -n "${MAILROOM_COUNT_SQL:-}" ]]; then
        read -r statements_before commits_before <<< "$sql_before"
        read -r statements_after commits_after <<< "$sql_after"
        printf 'mailroom_sql_per_msg=%.1f\nmailroom_commits_per_msg=%.1f\n' \
            "$(echo "($statements_after - $statements_before) / ($messages + $mn)" | bc -l)" \
            "$(echo "($commits_after - $commits_before) / ($messages + $mn)" | bc -l)"
    fi
    [[ "$committed" -eq $(( messages + mn )) ]] || echo "WARNING: not every message was committed (log: /tmp/mailroom-bench-smtp-last.log)"
fi

echo "load_average_at_end=$(cut -d' ' -f1 /proc/loadavg)"
if [[ -z "$only" ]]; then
    printf '%-22s %10s %12s %12s %10s\n' server "msgs/s" "p50 250 ms" "p99 250 ms" "RSS MB"
    printf '%-22s %10.0f %12s %12s %10s\n' "postfix->dovecot" "$postfix_rate" "$pp50" "$pp99" "$postfix_rss"
    printf '%-22s %10.0f %12s %12s %10s\n' "mailroom" "$mailroom_rate" "$mp50" "$mp99" "$mailroom_rss"
    printf 'mailroom_vs_postfix=%.2f\n' "$(echo "$mailroom_rate / $postfix_rate" | bc -l)"
fi
echo "($messages messages x 4 KB, $sessions sessions over $users users, plus the probe session)"
