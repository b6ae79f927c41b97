#!/usr/bin/env bash
# Benchmarks of the danmaku platform on this machine, as separate processes: `danmaku kafka`, two
# gateways, the filter and the archiver (PostgreSQL), and the Java load generator. See
# docs/performance.md.
#
#   bench/run.sh p1|p2|p3|p4|p5|p6    one profile against our platform (result in bench/results/runs/)
#   bench/run.sh compare [profiles]   the same profiles against our platform and the Socket.IO + Redis
#                                     peer (../shared/peers/socketio-redis), alternating; adds them to
#                                     bench/results/<date>.json (a profile run again replaces its earlier
#                                     run) and writes BENCHMARKS.md and docs/benchmarks.png from it
#   bench/run.sh smoke                a few seconds of a small P1 shape; fails unless every delivery is
#                                     accounted for (CI runs the same check as LoadGeneratorIT)
#   bench/run.sh faults [scenario,..] the fault suite: kills, pauses, cuts off and restarts services and the broker
#                                     under a steady load, checks the history (nothing lost, shown twice,
#                                     reordered or unanswered; the archive exactly once), and writes the
#                                     figures into docs/reliability.md (--help of the suite: faults --help)
#   bench/run.sh soak [minutes]       the same load for 60 (or the given) minutes with a fault every 5 min,
#                                     each process's live heap, threads and open files sampled; writes the
#                                     soak section of docs/reliability.md
#   bench/run.sh fuzz [executions]    the jqwik fuzz properties (frame decoders, rule compiler, archive query
#                                     parameters) for 10 000 000 (or the given) executions in all, each property
#                                     in its own JVM with a FUZZ_HEAP heap; records tries, failures, time and
#                                     peak heap per property in bench/results/runs/FUZZ-<stamp>.json and exits
#                                     non-zero if any property failed (docs/security.md, "Fuzzing")
#   bench/run.sh --help
#
# Profiles (the peer's): P1 busy room 1 x (1000 viewers + 10 senders) x 20/s; P2 many rooms
# 500 x (10 + 1) x 2/s; P3 P1's shape stepped over P3_RATES; P4 idle connections (P4_ONE on one
# gateway for memory per connection, P4_TOTAL over several gateway and load generator processes);
# P5 exactly-once filter throughput with 10 000 rules; P6 archive ingest and export.
# Env: DURATION_S (25) WARMUP_S (5) DRAIN_S (3) RAMP_BATCH (200) JIT_WARMUP_S (90, a run of the
# profile before measuring, our JVMs only) KEEP_LOGS (1 keeps process and GC logs) P3_RATES ("40 80 120 160 200 240") PEER_P3_RATES ("1 2 3 4 5 6 8 10")
# P4_ONE (19000) P4_TOTAL (100000) PEER_DIR (../shared/peers/socketio-redis) RESULTS_DIR (bench/results)
# FUZZ_HEAP (256m: unbounded allocation fails as an OutOfMemoryError) FUZZ_TIMEOUT_S (3600, per property)
# Everything started here is stopped by PID when it ends.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-}
if [[ -z "$mode" || "$mode" == -h || "$mode" == --help ]]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  exit 0
fi
shift || true

danmaku_jar="$root/launcher/target/danmaku.jar"
bench_jar="$root/bench/target/danmaku-bench.jar"
results_dir=${RESULTS_DIR:-$root/bench/results}
peer_dir=${PEER_DIR:-$root/../shared/peers/socketio-redis}
export DURATION_S=${DURATION_S:-25} WARMUP_S=${WARMUP_S:-5} DRAIN_S=${DRAIN_S:-3} RAMP_BATCH=${RAMP_BATCH:-200}
jit_warmup_s=${JIT_WARMUP_S:-90}
work=$(mktemp -d)
pids=()
log() { echo "[run] $*" >&2; }

stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
  pid_of=()
}
# KEEP_LOGS=1 keeps every process's log and GC log (in a temporary directory named at the end)
trap 'stop_all; if [[ "${KEEP_LOGS:-0}" == 1 ]]; then log "logs kept in $work"; else rm -rf "$work"; fi' EXIT
gc_log() { echo "-Xlog:gc:file=$work/gc-$1.log:uptime"; }
trap 'exit 130' INT TERM

build() {
  if [[ ! -f "$danmaku_jar" || ! -f "$bench_jar" ]]; then
    log "building the platform and the load generator"
    (cd "$root" && ./mvnw -q -B -DskipTests package)
  fi
}

wait_ready() { # url log
  for _ in $(seq 240); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.25; done
  log "FATAL: $1 did not become ready; last lines of $2:"; tail -20 "$2" >&2; exit 1
}

# Like the peer's run.sh: wait (at most QUIET_WAIT_S, 30) until the machine is below QUIET_MAX_BUSY_PCT
# (30 % of one core) over 2 s before starting a profile; measure anyway after that, and say so.
wait_quiet() {
  local deadline=$((SECONDS + ${QUIET_WAIT_S:-30})) busy
  while true; do
    busy=$(awk -v cores="$(nproc)" 'NR == 1 {t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $5 + $6}' /proc/stat; sleep 2;
           awk 'NR == 1 {t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $5 + $6}' /proc/stat)
    busy=$(echo $busy | awk -v cores="$(nproc)" '{dt = $3 - $1; di = $4 - $2; printf "%.0f", dt ? (dt - di) / dt * cores * 100 : 0}')
    if ((busy < ${QUIET_MAX_BUSY_PCT:-30})); then log "machine quiet: ${busy}% of one core busy"; return; fi
    if ((SECONDS >= deadline)); then log "machine still busy (${busy}% of one core) after waiting; measuring anyway"; return; fi
    log "machine busy (${busy}% of one core): waiting"
  done
}

# The platform as five processes. Limits meant for people are lifted: each sender is one user
# sending 20-160 danmaku/s, which the default per-user limits would refuse.
declare -A pid_of
start_platform() {
  local gateways=${1:-2}
  wait_quiet
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  export DANMAKU_BIND_HOST=127.0.0.1 DANMAKU_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:19092 DANMAKU_TOPIC_PARTITIONS=${PARTITIONS:-6}
  # the services and the load generator share a fresh token secret
  DANMAKU_JWT_SECRET=${DANMAKU_JWT_SECRET:-$(head -c 48 /dev/urandom | base64 -w0)}
  export DANMAKU_JWT_SECRET
  rm -rf "$work/kafka" && mkdir -p "$work/kafka"
  java ${KAFKA_JAVA_OPTS:--Xms512m -Xmx1g} "$(gc_log kafka)" -jar "$danmaku_jar" kafka --kafka-port 19092 --data-dir "$work/kafka" >"$work/kafka.log" 2>&1 &
  pids+=($!); pid_of[kafka]=$!
  for _ in $(seq 240); do grep -q "Kafka broker ready" "$work/kafka.log" && break; sleep 0.25; done
  grep -q "Kafka broker ready" "$work/kafka.log" || { log "FATAL: kafka did not start"; tail -20 "$work/kafka.log" >&2; exit 1; }
  DANMAKU_FILTER_RATE_PER_SECOND=1000 DANMAKU_FILTER_BURST=1000 DANMAKU_FILTER_DUPLICATE_WINDOW_SECONDS=0 \
    java ${FILTER_JAVA_OPTS:--Xms256m -Xmx1g} "$(gc_log filter)" -jar "$danmaku_jar" filter --port 18090 >"$work/filter.log" 2>&1 &
  pids+=($!); pid_of[filter]=$!
  if [[ "${ARCHIVER:-on}" == on ]]; then
    psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS danmaku_bench" >/dev/null 2>&1 || true
    psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE danmaku_bench" >/dev/null
    DANMAKU_ARCHIVE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/danmaku_bench DANMAKU_ARCHIVE_JDBC_USER=postgres \
      java ${ARCHIVER_JAVA_OPTS:--Xms256m -Xmx1g} "$(gc_log archiver)" -jar "$danmaku_jar" archiver --port 18070 >"$work/archiver.log" 2>&1 &
    pids+=($!); pid_of[archiver]=$!
  fi
  gateway_urls=() gateway_pids=()
  local i port
  for ((i = 0; i < gateways; i++)); do
    port=$((18080 + i))
    DANMAKU_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS=1000000 DANMAKU_GATEWAY_MAX_CONNECTIONS=1000000 \
    DANMAKU_GATEWAY_SEND_RATE=1000 DANMAKU_GATEWAY_SEND_BURST=1000 DANMAKU_GATEWAY_ALLOWED_ORIGINS='*' \
      java ${GATEWAY_JAVA_OPTS:--Xms512m -Xmx2g} "$(gc_log "gateway-$port")" -jar "$danmaku_jar" gateway --port "$port" >"$work/gateway-$port.log" 2>&1 &
    pids+=($!); pid_of[gateway-$port]=$!; gateway_urls+=("ws://127.0.0.1:$port/ws"); gateway_pids+=($!)
  done
  wait_ready http://127.0.0.1:18090/readyz "$work/filter.log"
  [[ "${ARCHIVER:-on}" == on ]] && wait_ready http://127.0.0.1:18070/readyz "$work/archiver.log"
  for ((i = 0; i < gateways; i++)); do wait_ready "http://127.0.0.1:$((18080 + i))/readyz" "$work/gateway-$((18080 + i)).log"; done
  log "platform up: kafka ${pid_of[kafka]}, filter ${pid_of[filter]}, archiver ${pid_of[archiver]:-off}, gateways ${gateway_pids[*]}"
}

monitor_list() {
  local label list=""
  for label in "${!pid_of[@]}"; do list+="${list:+,}$label:${pid_of[$label]}"; done
  echo "$list"
}

# loadgen OUT.json [env...]: one run of the Java load generator against the running platform
loadgen() {
  local out=$1; shift
  env "$@" SERVERS="$(IFS=,; echo "${gateway_urls[*]}")" MONITOR_PIDS="$(monitor_list)" \
    java ${LOADGEN_JAVA_OPTS:--Xms512m -Xmx2g -XX:+UseParallelGC} -jar "$bench_jar" >"$out" 2>"$work/$(basename "$out").log" || true
  cat "$work/$(basename "$out").log" >&2
  [[ -s "$out" ]] || echo '{"peer":"danmaku","ok":false,"error":"the load generator printed no result"}' >"$out"
}

# ours PROFILE-LABEL OUT.json ROOMS VIEWERS SENDERS RATE: warm the JVMs with the profile, then measure
ours_step() {
  local label=$1 out=$2 shape=(ROOMS=$3 VIEWERS_PER_ROOM=$4 SENDERS_PER_ROOM=$5 RATE_PER_SENDER=$6)
  if ((jit_warmup_s > 0)); then
    log "$label: JIT warm-up run of ${jit_warmup_s} s (not recorded)"
    loadgen "$work/warmup.json" "${shape[@]}" PROFILE="$label-warmup" DURATION_S=$((jit_warmup_s + 3)) WARMUP_S=1 2>/dev/null
  fi
  log "$label: measuring"
  loadgen "$out" "${shape[@]}" PROFILE="$label"
  where_time_went
}

# Where latency and refusals come from: the filter's transactions and the gateways' own accept->flush timer
where_time_went() {
  curl -fs http://127.0.0.1:18090/metrics | grep -E '^danmaku_filter_(transaction_commit|processing)_seconds_(sum|count|max)' >&2 || true
  local url
  for url in "${gateway_urls[@]}"; do
    url=${url/ws:/http:}; url=${url%/ws}
    curl -fs "$url/metrics" | grep -E '^danmaku_gateway_(refused_total|slow_viewers_closed_total|batches_dropped_total|batches_total|delivery_latency_seconds_(sum|count|max))' \
      | sed "s#^#${url##*:} #" >&2 || true
  done
}

peer_step() { # MODE OUT.json [env...]
  local mode=$1 out=$2; shift 2
  if [[ ! -x "$peer_dir/run.sh" ]]; then
    echo '{"peer":"socketio-redis","ok":false,"error":"peer not found at '"$peer_dir"'"}' >"$out"; return
  fi
  log "peer: $mode"
  (cd "$peer_dir" && env "$@" RESULTS_DIR="$work/peer" ./run.sh "$mode" | tail -n 1) >"$out" || true
  [[ -s "$out" ]] || echo '{"peer":"socketio-redis","ok":false,"error":"peer run printed no result"}' >"$out"
}

p1() { start_platform 2; ours_step P1-busy-room "$1" 1 1000 10 20; stop_all; }
p2() { start_platform 2; ours_step P2-many-rooms "$1" 500 10 1 2; stop_all; }
p3() { # our steps on one warm platform; result: one JSON line holding every step
  local out=$1 rate steps=() warm=$jit_warmup_s
  start_platform 2
  for rate in ${P3_RATES:-40 80 120 160 200 240}; do
    ours_step "P3-max-rate$rate" "$work/p3-$rate.json" 1 1000 10 "$rate"
    steps+=("$work/p3-$rate.json")
    jit_warmup_s=0 # the platform stays up and warm between steps
  done
  jit_warmup_s=$warm
  stop_all
  java -cp "$bench_jar" dev.danmaku.bench.Report steps danmaku P3-max "${steps[@]}" >"$out"
}
p4() { # idle connections: memory per connection on one gateway, then P4_TOTAL over several processes
  local out=$1 one=${P4_ONE:-19000} total=${P4_TOTAL:-100000}
  ARCHIVER=off start_platform 1
  local gw=${gateway_pids[0]} rss0 heap0
  rss0=$(rss_kb "$gw"); heap0=$(heap_kb "$gw")
  loadgen "$work/p4-one.json" PROFILE=P4-one-gateway ROOMS=100 VIEWERS_PER_ROOM=$((one / 100)) SENDERS_PER_ROOM=0 \
    RAMP_BATCH=1000 DURATION_S=8 &
  local lg=$!
  for _ in $(seq 600); do grep -q "holding" "$work/p4-one.json.log" 2>/dev/null && break; sleep 0.5; done
  sleep 3
  local rss1 heap1; rss1=$(rss_kb "$gw"); heap1=$(heap_kb "$gw")
  wait "$lg" || true
  stop_all
  local gateways=$(( (total + 18999) / 19000 ))
  local per_gateway=$(( ( (total + gateways - 1) / gateways + 99) / 100 * 100 ))
  ARCHIVER=off start_platform "$gateways"
  # one load generator per gateway, each from its own source address, started one after another
  # (ramping all at once on two cores only slows every ramp) and holding until measured
  local i port sessions=0 count rss_total=0
  for ((i = 0; i < gateways; i++)); do
    port=$((18080 + i))
    env PROFILE=P4-total SERVERS="ws://127.0.0.1:$port/ws" ROOMS=$((per_gateway / 100)) VIEWERS_PER_ROOM=100 \
      SENDERS_PER_ROOM=0 RAMP_BATCH=1000 DURATION_S=600 SOURCE_ADDRESSES="127.0.0.$((i + 2))" \
      java -Xmx512m -jar "$bench_jar" >"$work/p4-total-$i.json" 2>"$work/p4-total-$i.log" &
    pids+=($!)
    for _ in $(seq 600); do grep -q "holding" "$work/p4-total-$i.log" && break; sleep 0.5; done
    grep -q "holding" "$work/p4-total-$i.log" || { log "FATAL: load generator $i did not ramp"; tail -5 "$work/p4-total-$i.log" >&2; exit 1; }
    log "$(grep "joined in" "$work/p4-total-$i.log")"
  done
  sleep 3
  for ((i = 0; i < gateways; i++)); do
    port=$((18080 + i))
    count=$(curl -fs "http://127.0.0.1:$port/metrics" | awk '/^danmaku_gateway_sessions/ {s += $2} END {printf "%d", s}')
    log "gateway $port holds $count sessions, RSS $(( $(rss_kb "${gateway_pids[$i]}") / 1024 )) MB"
    sessions=$((sessions + count))
  done
  for i in "${gateway_pids[@]}"; do rss_total=$((rss_total + $(rss_kb "$i"))); done
  stop_all
  java -cp "$bench_jar" dev.danmaku.bench.Report capacity "$one" "$rss0" "$rss1" "$heap0" "$heap1" \
    "$work/p4-one.json" "$((per_gateway * gateways))" "$sessions" "$gateways" "$rss_total" >"$out"
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
heap_kb() { # live heap right after a full GC, in KiB
  jcmd "$1" GC.run >/dev/null
  jcmd "$1" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); sub("K", "", v); print v; exit}}'
}
p5() {
  local out=$1 cp
  (cd "$root" && ./mvnw -q -B -pl filter-service -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2)
  cp="$root/filter-service/target/test-classes:$root/filter-service/target/classes:$(cat "$root/filter-service/target/bench.classpath")"
  java -Xmx1g -cp "$cp" dev.danmaku.filter.bench.PipelineBenchmark 300000 1 6 5000 2>"$work/p5.err" | tee "$work/p5.log" >&2 || true
  java -cp "$bench_jar" dev.danmaku.bench.Report lines P5-filter "$work/p5.log" >"$out"
}
p6() {
  local out=$1
  (cd "$root" && ./mvnw -B -pl archiver -am verify -Dtest=ArchiveBenchmark -Dit.test=none \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dbench.phases=kafka,export 2>&1) \
    | tee "$work/p6.log" | grep -E "rows/s|ERROR" >&2 || true
  java -cp "$bench_jar" dev.danmaku.bench.Report lines P6-archive "$work/p6.log" >"$out"
}

smoke() { # seconds of P1's shape on a small room; fails when the accounting does not add up
  local out=$1
  ARCHIVER=off start_platform 2
  loadgen "$out" PROFILE=smoke ROOMS=2 VIEWERS_PER_ROOM=20 SENDERS_PER_ROOM=2 RATE_PER_SENDER=10 \
    DURATION_S=6 WARMUP_S=1 TAIL_EXCLUDE_S=1 DRAIN_S=3
  stop_all
  java -cp "$bench_jar" dev.danmaku.bench.Report check "$out"
}

# The fuzz properties with their share (in percent) of the executions. The shares follow the cost of
# one try: the rule property compiles a matcher per try, 20-50 times slower than decoding a frame.
fuzz_properties=(
  "gateway dev.danmaku.gateway.ws.FrameFuzzTest#anyTextFrameDecodesOrFailsAsAProtocolError 25"
  "gateway dev.danmaku.gateway.ws.FrameFuzzTest#anyBinaryFrameDecodesOrFailsAsAProtocolError 25"
  "filter-service dev.danmaku.filter.fuzz.RuleAndTextFuzzTest#anyTextNormalizesWithSpansInsideIt 15"
  "filter-service dev.danmaku.filter.fuzz.RuleAndTextFuzzTest#aTextWithoutPunctuationOrSymbolsSquashesToItsStandardView 10"
  "filter-service dev.danmaku.filter.fuzz.RuleAndTextFuzzTest#anyPatternIsRefusedWithAReasonOrMatchesAnyTextSafely 5"
  "archiver dev.danmaku.archiver.api.QueryParamsFuzzTest#anyParametersMakeABoundedQueryOrAreRefusedByName 20"
)
fuzz() { # OUT.json TOTAL: one Maven (reactor, offline) run per property; its own JVM, heap and GC log
  local out=$1 total=$2 entry module test share tries i=0 failed=0 rows=()
  local heap=${FUZZ_HEAP:-256m} timeout_s=${FUZZ_TIMEOUT_S:-3600}
  for entry in "${fuzz_properties[@]}"; do
    read -r module test share <<<"$entry"
    tries=$((total * share / 100)); i=$((i + 1))
    log "fuzz $i/${#fuzz_properties[@]}: ${test#*.fuzz.} with $tries tries (at most ${timeout_s} s)"
    # one GC log file (filecount=0): a rotated-away file would drop its GCs from the peak
    local started=$SECONDS rc=0 mvn_log="$work/fuzz-$i.log" gc="$work/fuzz-$i-gc.log"
    local report="$root/$module/target/surefire-reports/TEST-${test%#*}.xml" seconds=null fails=1
    rm -f "$report"
    (cd "$root" && ./mvnw -o -B -pl "$module" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djqwik.tries.default="$tries" -Djqwik.reporting.onlyfailures=false -Dsurefire.timeout="$timeout_s" \
      -DargLine="-Xmx$heap -Xlog:gc:file=$gc:uptime,level,tags:filecount=0") >"$mvn_log" 2>&1 &
    local mvn=$!; pids+=("$mvn")
    while kill -0 "$mvn" 2>/dev/null; do # progress: elapsed time and the JVM's GC count so far
      sleep 5; kill -0 "$mvn" 2>/dev/null || break
      ((($SECONDS - started) % 60 < 5)) && log "  ... $((SECONDS - started)) s, $(grep -c Pause "$gc" 2>/dev/null || true) GCs"
    done
    wait "$mvn" || rc=$?
    # jqwik's own count of the tries it ran (its report: "tries = N"), not the number asked for
    local ran; ran=$(awk '/^tries = / {print $3}' "$mvn_log" | tail -1)
    if [[ -f "$report" ]]; then
      seconds=$(grep -o 'testcase name="[^"]*" classname="[^"]*" time="[^"]*"' "$report" | sed 's/.*time="//; s/"//')
      fails=$(grep -cE '<(failure|error)[ >]' "$report" || true)
    fi
    ((rc == 0)) || fails=$((fails > 0 ? fails : 1))
    # peak heap: the most used just before a young or full GC; and the most left just after one (MB, from
    # the log lines "Pause Young ... A M->B M(C M)"); a full GC means the heap was nearly out
    local heap_mb; heap_mb=$(grep -E 'Pause (Young|Full)' "$gc" 2>/dev/null | sed -n 's/.* \([0-9]*\)M->\([0-9]*\)M(.*/\1 \2/p' \
      | awk 'BEGIN {p = 0; l = 0} {if ($1 > p) p = $1; if ($2 > l) l = $2} END {print p, l, NR}')
    read -r peak live gcs <<<"$heap_mb"
    local full_gcs; full_gcs=$(grep -c 'Pause Full' "$gc" 2>/dev/null || true)
    grep -q OutOfMemoryError "$mvn_log" && log "  OutOfMemoryError in $test"
    log "  $test: ${ran:-?} tries, $fails failed, ${seconds} s, peak heap ${peak} MB (${live} MB after a GC, $gcs GCs, ${full_gcs:-0} full)"
    ((fails == 0)) || { failed=$((failed + 1)); tail -60 "$mvn_log" >&2; cp "$mvn_log" "$out.$i.log"; log "  output kept in $out.$i.log"; }
    rows+=("$(jq -n --arg p "$test" --argjson asked "$tries" --argjson ran "${ran:-0}" --argjson fails "$fails" \
      --argjson s "$seconds" --argjson wall $((SECONDS - started)) --argjson peak "$peak" --argjson live "$live" \
      --argjson gcs "$gcs" --argjson full "${full_gcs:-0}" --arg heap "$heap" \
      '{property: $p, tries_asked: $asked, tries_run: $ran, failures: $fails, property_seconds: $s,
        wall_seconds: $wall, heap_max: $heap, peak_heap_used_mb: $peak, max_heap_after_gc_mb: $live, gcs: $gcs, full_gcs: $full}')")
  done
  printf '%s\n' "${rows[@]}" | jq -s --arg date "$(date -u +%FT%TZ)" --argjson total "$total" --arg host "$(nproc) cores" \
    '{mode: "fuzz", date: $date, executions_asked: $total, executions_run: (map(.tries_run) | add),
      failures: (map(.failures) | add), machine: $host, properties: .}' >"$out"
  ((failed == 0))
}

[[ "$mode" == fuzz ]] || build # the fuzz mode builds test classes through Maven itself
mkdir -p "$results_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
case "$mode" in
  faults)
    build
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    if [[ "${1:-}" == -* ]]; then
      (cd "$root" && java -cp "$bench_jar" dev.danmaku.bench.faults.FaultSuite "$@")
    else
      (cd "$root" && java -cp "$bench_jar" dev.danmaku.bench.faults.FaultSuite ${1:+--scenario "$1"})
    fi
    ;;
  soak)
    build
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    (cd "$root" && java -cp "$bench_jar" dev.danmaku.bench.faults.FaultSuite --soak "${1:-60}")
    ;;
  fuzz)
    mkdir -p "$results_dir/runs"
    rc=0
    fuzz "$results_dir/runs/FUZZ-$stamp.json" "${1:-10000000}" || rc=$?
    cat "$results_dir/runs/FUZZ-$stamp.json"
    exit "$rc"
    ;;
  p1|p2|p3|p4|p5|p6|smoke)
    mkdir -p "$results_dir/runs"
    "$mode" "$results_dir/runs/${mode^^}-$stamp.json"
    cat "$results_dir/runs/${mode^^}-$stamp.json"
    ;;
  compare)
    profiles=${*:-p1 p2 p3 p4 p5 p6}
    rows=()
    for p in $profiles; do
      "$p" "$work/ours-$p.json"
      rows+=("$p" "$work/ours-$p.json")
      case "$p" in
        p1|p2) peer_step "$p" "$work/peer-$p.json"; rows+=("$work/peer-$p.json") ;;
        p3) peer_step p3 "$work/peer-p3.json" P3_RATES="${PEER_P3_RATES:-1 2 3 4 5 6 8 10}"; rows+=("$work/peer-p3.json") ;;
        *) rows+=("-") ;;
      esac
    done
    java -cp "$bench_jar" dev.danmaku.bench.Report compare "$results_dir/$(date -u +%Y-%m-%d).json" \
      "$root/BENCHMARKS.md" "$root/docs/benchmarks.png" "${rows[@]}"
    ;;
  *) echo "bench/run.sh: unknown mode '$mode' (try --help)" >&2; exit 64 ;;
esac
