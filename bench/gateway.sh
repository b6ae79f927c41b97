#!/usr/bin/env bash
# Gateway capacity and one busy room, on this machine, with the platform as separate processes:
# `danmaku kafka`, `danmaku filter`, `danmaku gateway`, and the load generator in its own JVM.
#   bench/gateway.sh [idle-connections] [busy-room-viewers]     (WARMUP=seconds before measuring, default 60)
# Prints the load generator's JSON lines plus the gateway's RSS and heap per idle connection.
# Everything it starts is stopped (by PID) when it ends.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
idle=${1:-19000}
viewers=${2:-1000}
danmaku="$root/launcher/target/danmaku.jar"
bench="$root/bench/target/danmaku-bench.jar"
[ -f "$danmaku" ] && [ -f "$bench" ] || (cd "$root" && ./mvnw -q -B -DskipTests package)

work=$(mktemp -d)
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop EXIT

wait_for() { # url
  for _ in $(seq 1 120); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "bench: $1 did not answer" >&2; exit 1
}
heap_bytes() { # pid: heap in use right after a full GC
  jcmd "$1" GC.run >/dev/null
  jcmd "$1" GC.heap_info | awk '/used/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub("K","",v); print v*1024; exit}}'
}
rss_bytes() { awk '/VmRSS/ {print $2*1024}' "/proc/$1/status"; }

export DANMAKU_BIND_HOST=127.0.0.1 DANMAKU_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:19092 DANMAKU_TOPIC_PARTITIONS=6
java -jar "$danmaku" kafka --kafka-port 19092 --data-dir "$work" > "$work/kafka.log" 2>&1 & pids+=($!)
for _ in $(seq 1 120); do grep -q "Kafka broker ready" "$work/kafka.log" && break; sleep 0.5; done
# the load is one user per sender: lift the filter's per-user limits so it measures delivery, not refusals
DANMAKU_FILTER_RATE_PER_SECOND=1000 DANMAKU_FILTER_BURST=1000 DANMAKU_FILTER_DUPLICATE_WINDOW_SECONDS=0 \
  java -jar "$danmaku" filter --port 18090 > "$work/filter.log" 2>&1 & pids+=($!)
DANMAKU_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS=100000 DANMAKU_GATEWAY_SEND_RATE=100 DANMAKU_GATEWAY_SEND_BURST=100 \
  java -jar "$danmaku" gateway --port 18080 > "$work/gateway.log" 2>&1 & gateway=$!; pids+=($gateway)
wait_for http://127.0.0.1:18090/readyz
wait_for http://127.0.0.1:18080/readyz
token=$(java -jar "$danmaku" token --user bench --role viewer)

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -n1)"
heap0=$(heap_bytes $gateway); rss0=$(rss_bytes $gateway)
java -Xss256k -jar "$bench" --url ws://127.0.0.1:18080/ws --connections "$idle" --rooms 100 --ramp-batch 1000 \
  --duration 20 --label "idle-$idle" 2> "$work/idle.err" & driver=$!; pids+=($driver)
for _ in $(seq 1 600); do grep -q "^joined:" "$work/idle.err" && break; sleep 0.5; done
sleep 3
heap1=$(heap_bytes $gateway); rss1=$(rss_bytes $gateway)
wait $driver || true
echo "{\"label\":\"gateway-memory\",\"connections\":$idle,\"rssBytesPerConnection\":$(( (rss1 - rss0) / idle )),\"heapBytesPerConnection\":$(( (heap1 - heap0) / idle )),\"rssBefore\":$rss0,\"rssAfter\":$rss1}"
cat "$work/idle.err" | tail -n 2 >&2

java -jar "$bench" --url ws://127.0.0.1:18080/ws --connections "$viewers" --rooms 1 --senders 10 --rate 20 \
  --token "$token" --warmup "${WARMUP:-60}" --duration 30 --label "busy-room-$viewers" 2> "$work/busy.err"
tail -n 2 "$work/busy.err" >&2
# why the gateway closed or refused anyone during the runs
curl -fs http://127.0.0.1:18090/metrics | grep -E "^danmaku_filter_(transaction_commit|processing)_seconds_(sum|count|max)" >&2 || true
curl -fs http://127.0.0.1:18080/metrics | grep -E '^danmaku_gateway_(refused_total|slow_viewers_closed_total|batches_dropped_total|delivery_latency_seconds_(sum|count|max))' >&2 || true
