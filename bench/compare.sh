#!/usr/bin/env bash
# Side by side: the tutorial's Node server (the baseline) and one signalmesh node, on free
# loopback ports of this machine, loaded one after the other (never both at once) by the same
# `signalmesh bench` commands. Prints Markdown tables; the raw JSON lines stay in $OUT.
#
#   bench/compare.sh [--rates "5000 20000"] [--clients 200] [--room-size 2] [--warmup 15s]
#                    [--duration 20s] [--rounds 1] [--connections 2000] [--join-clients 5000]
#                    [--join-warmups 6] [--join-bursts 5] [--churn-rate 100] [--churn-duration 10s] [--churn-warmup 10s]
#                    [--cold-rounds 3] [--only relay,connections,join,churn,cold]
#                    [--node-args "--warm-up-joins 10000"] [--also "--event-loops 2"]
#
# --node-args: extra `serve` flags for the signalmesh node; NODE_JAVA_OPTS: its JVM flags.
# --also: a second signalmesh node with these extra flags, loaded after the first (a third column).
# --rounds: relay runs at each rate, the servers taking turns in each round; the ratios of every
# round are printed and the table shows the round of the median CPU ratio (the figures of one run
# moved by 0.1x to 0.2x between runs of the same hour here).
# --join-warmups: join bursts each server takes before the measured ones (a JVM compiles the join
# path over its first bursts: about seven of 5,000 clients here); --join-bursts: measured bursts,
# the table shows the median one (by joins/s), every burst's joins/s and the first (cold) burst's;
# --churn-warmup: churn at the same rate before the measured window.
# cold (not run unless named in --only): --cold-rounds times, each server is restarted right
# before its one join burst (the first a fresh server takes, after its start with --node-args or
# --also, e.g. --warm-up-joins); the table shows each round and the median.
# Needs java 17+, node/npm (for the baseline), jq, curl; builds target/signalmesh.jar when it
# is missing. BASELINE_DIR (default ../shared/baseline) holds the tutorial server.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
BASELINE_DIR="${BASELINE_DIR:-$REPO/../shared/baseline}"
OUT="${OUT:-$(mktemp -d /tmp/signalmesh-compare.XXXXXX)}"
RATES="5000 20000"; CLIENTS=200; ROOM_SIZE=2; WARMUP=15s; DURATION=20s; ROUNDS=1
CONNECTIONS=2000; JOIN_CLIENTS=5000; JOIN_WARMUPS=6; JOIN_BURSTS=5; CHURN_RATE=100; CHURN_DURATION=10s; CHURN_WARMUP=10s
COLD_ROUNDS=3
ONLY="relay,connections,join,churn"; NODE_ARGS=""; ALSO_ARGS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rates) RATES="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --room-size) ROOM_SIZE="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --join-clients) JOIN_CLIENTS="$2"; shift 2 ;;
    --join-warmups) JOIN_WARMUPS="$2"; shift 2 ;;
    --join-bursts) JOIN_BURSTS="$2"; shift 2 ;;
    --churn-warmup) CHURN_WARMUP="$2"; shift 2 ;;
    --churn-rate) CHURN_RATE="$2"; shift 2 ;;
    --churn-duration) CHURN_DURATION="$2"; shift 2 ;;
    --cold-rounds) COLD_ROUNDS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --node-args) NODE_ARGS="$2"; shift 2 ;;
    --also) ALSO_ARGS="$2"; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

JAR="$REPO/target/signalmesh.jar"
if [ ! -f "$JAR" ]; then
  (cd "$REPO" && { mvn -q -o -DskipTests package || mvn -q -DskipTests package; })
fi
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_http() { for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.2; done; echo "nothing on port $1" >&2; return 1; }

BASE_PID=""; NODE_PID=""; ALSO_PID=""
cleanup() { for p in $BASE_PID $NODE_PID $ALSO_PID; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# the baseline: a temp copy, npm ci, node server.js
BASE_COPY="$OUT/baseline"; mkdir -p "$BASE_COPY"
cp "$BASELINE_DIR"/server.js "$BASELINE_DIR"/package.json "$BASELINE_DIR"/package-lock.json "$BASE_COPY"/
(cd "$BASE_COPY" && npm ci --no-audit --no-fund --silent)
BASE_PORT=$(free_port)
start_baseline() {
  (cd "$BASE_COPY" && PORT=$BASE_PORT SEED_QUIET=1 exec node server.js >>"$OUT/baseline.log" 2>&1) &
  BASE_PID=$!
}
start_baseline

# one signalmesh node, in-memory presence; the per-connection rate limit is lifted (a relay
# run sends 100 frames/s per client at 20,000 msgs/s over 200 clients; the default is 50)
NODE_PORT=$(free_port); MGMT_PORT=$(free_port); ALSO_PORT=$(free_port); ALSO_MGMT_PORT=$(free_port)
# start_node <port> <management port> <log> <extra flags>: prints the PID
start_node() {
  # shellcheck disable=SC2086 # NODE_JAVA_OPTS and the extra flags are lists of words
  java ${NODE_JAVA_OPTS:-} -jar "$JAR" serve --host 127.0.0.1 --port "$1" --management-port "$2" \
    --rate-limit 1000000 --rate-burst 1000000 --max-connections-per-ip 1000000 $4 >>"$OUT/$3" 2>&1 &
  echo $!
}
NODE_PID=$(start_node "$NODE_PORT" "$MGMT_PORT" signalmesh.log "$NODE_ARGS")
wait_http "$NODE_PORT"
if [ -n "$ALSO_ARGS" ]; then
  ALSO_PID=$(start_node "$ALSO_PORT" "$ALSO_MGMT_PORT" signalmesh-also.log "$NODE_ARGS $ALSO_ARGS")
  wait_http "$ALSO_PORT"
fi
wait_http "$BASE_PORT"

bench() { java -jar "$JAR" bench "$@"; }
# a node whose event loops are stuck still answers health checks on its management loop: probe signaling
ensure_node() {
  if ! bench connections --url "ws://127.0.0.1:$NODE_PORT/ws" --connections 2 --hold 0s --timeout 3s >/dev/null 2>&1; then
    echo "signalmesh node $NODE_PID does not accept connections any more: restarting it (see $OUT/signalmesh-stuck.jstack)" >&2
    jstack "$NODE_PID" >"$OUT/signalmesh-stuck.jstack" 2>&1 || true
    kill -9 "$NODE_PID" 2>/dev/null || true
    NODE_PID=$(start_node "$NODE_PORT" "$MGMT_PORT" signalmesh.log "$NODE_ARGS")
    wait_http "$NODE_PORT"
  fi
}
# run <name> <scenario> [options]: the baseline first, then signalmesh (then the --also node)
run() {
  local name=$1; shift
  local scenario=$1; shift
  echo "== $name: baseline" >&2
  bench "$scenario" --url "ws://127.0.0.1:$BASE_PORT/ws" --server-pid "$BASE_PID" "$@" >"$OUT/$name.baseline.json" || true
  ensure_node
  echo "== $name: signalmesh" >&2
  bench "$scenario" --url "ws://127.0.0.1:$NODE_PORT/ws" --server-pid "$NODE_PID" "$@" >"$OUT/$name.signalmesh.json" || true
  ensure_node
  if [ -n "$ALSO_ARGS" ]; then
    echo "== $name: signalmesh $ALSO_ARGS" >&2
    bench "$scenario" --url "ws://127.0.0.1:$ALSO_PORT/ws" --server-pid "$ALSO_PID" "$@" >"$OUT/$name.also.json" || true
  fi
}

# ratio <signalmesh json> <baseline json>: server CPU per message, signalmesh over the baseline (n/a
# when a run failed); ratio_x: the same with an x
ratio() { jq -rn --slurpfile a "$1" --slurpfile b "$2" \
  "if (\$a[0].server.cpuUsPerMsg // 0) > 0 and (\$b[0].server.cpuUsPerMsg // 0) > 0 then ((\$a[0].server.cpuUsPerMsg / \$b[0].server.cpuUsPerMsg * 100 | round) / 100 | tostring) else \"n/a\" end" 2>/dev/null || echo "n/a"; }
ratio_x() { local r; r=$(ratio "$1" "$2"); if [ "$r" = n/a ]; then echo n/a; else echo "${r}x"; fi; }
if wants relay; then
  for round in $(seq 1 "$ROUNDS"); do
    for rate in $RATES; do
      run "relay-$rate-r$round" relay --clients "$CLIENTS" --room-size "$ROOM_SIZE" --rate "$rate" \
        --warmup "$WARMUP" --duration "$DURATION"
    done
  done
  # relay-<rate>.<server>.json: the round whose signalmesh CPU ratio is the median
  for rate in $RATES; do
    median=$(for round in $(seq 1 "$ROUNDS"); do
      echo "$(ratio "$OUT/relay-$rate-r$round.signalmesh.json" "$OUT/relay-$rate-r$round.baseline.json") $round"
    done | { grep -v '^n/a' || true; } | sort -g | awk '{r[NR] = $2} END {if (NR) print r[int((NR + 1) / 2)]}')
    for side in baseline signalmesh also; do
      if [ -n "$median" ] && [ -f "$OUT/relay-$rate-r$median.$side.json" ]; then
        cp "$OUT/relay-$rate-r$median.$side.json" "$OUT/relay-$rate.$side.json"
      fi
    done
  done
fi
wants connections && run connections connections --connections "$CONNECTIONS" --hold 5s --deflate --connect-rate 2000
# a jq filter over an array of join reports: the one of the median joins/s (the lower of two middles)
MEDIAN_BURST='map(select(.joinsPerSec != null)) | sort_by(.joinsPerSec) | (.[(length - 1) / 2 | floor] // {error: "no burst completed"})'
if wants join; then
  for i in $(seq 1 "$JOIN_WARMUPS"); do
    run "join-warmup-$i" join --clients "$JOIN_CLIENTS" --room-size 2 --mode burst --connect-rate 2000 --timeout 20s
  done
  for i in $(seq 1 "$JOIN_BURSTS"); do
    run "join-burst-$i" join --clients "$JOIN_CLIENTS" --room-size 2 --mode burst --connect-rate 2000 --timeout 20s
  done
  # join-burst.<server>.json: the median burst by joins/s, with every burst's joins/s and the
  # first warm-up's (the cold server) added
  for side in baseline signalmesh also; do
    ls "$OUT"/join-burst-*."$side".json >/dev/null 2>&1 || continue
    jq -s --slurpfile cold <(cat "$OUT/join-warmup-1.$side.json" 2>/dev/null || echo '{}') \
      "($MEDIAN_BURST) + {bursts: map(.joinsPerSec // empty), coldJoinsPerSec: (\$cold[0].joinsPerSec // null)}" \
      "$OUT"/join-burst-*."$side".json >"$OUT/join-burst.$side.json"
  done
fi
wants churn && run churn churn --rate "$CHURN_RATE" --duration "$CHURN_DURATION" --warmup "$CHURN_WARMUP"
# stop <pid>: SIGTERM (a node drains first), then SIGKILL after 30 s
stop() {
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}
cold_burst() { # cold_burst <output name> <port> <pid>
  bench join --url "ws://127.0.0.1:$2/ws" --server-pid "$3" --clients "$JOIN_CLIENTS" --room-size 2 --mode burst \
    --connect-rate 2000 --timeout 20s >"$OUT/$1.json" || true
}
if wants cold; then
  for round in $(seq 1 "$COLD_ROUNDS"); do
    echo "== cold-$round: fresh baseline, fresh signalmesh${ALSO_ARGS:+, fresh signalmesh $ALSO_ARGS}" >&2
    stop "$BASE_PID"; start_baseline; wait_http "$BASE_PORT"
    cold_burst "cold-$round.baseline" "$BASE_PORT" "$BASE_PID"
    stop "$NODE_PID"; NODE_PID=$(start_node "$NODE_PORT" "$MGMT_PORT" signalmesh.log "$NODE_ARGS"); wait_http "$NODE_PORT"
    cold_burst "cold-$round.signalmesh" "$NODE_PORT" "$NODE_PID"
    if [ -n "$ALSO_ARGS" ]; then
      stop "$ALSO_PID"; ALSO_PID=$(start_node "$ALSO_PORT" "$ALSO_MGMT_PORT" signalmesh-also.log "$NODE_ARGS $ALSO_ARGS")
      wait_http "$ALSO_PORT"
      cold_burst "cold-$round.also" "$ALSO_PORT" "$ALSO_PID"
    fi
  done
  # cold-median.<server>.json: the round of the median joins/s
  for side in baseline signalmesh also; do
    ls "$OUT"/cold-*."$side".json >/dev/null 2>&1 || continue
    jq -s "$MEDIAN_BURST" \
      "$OUT"/cold-[0-9]*."$side".json >"$OUT/cold-median.$side.json"
  done
fi

# --- tables -----------------------------------------------------------------------------
val() { [ -s "$1" ] && jq -r "$2 // \"-\"" "$1" 2>/dev/null || echo "n/a"; }
table() { # table <title> <names...> -- then rows "label|jq"
  local title=$1; shift
  local names=(); while [ "$1" != "--" ]; do names+=("$1"); shift; done; shift
  echo; echo "### $title"; echo
  local header="| |" line="|---|"
  for n in "${names[@]}"; do
    header="$header $n baseline | $n signalmesh |"; line="$line---:|---:|"
    if [ -n "$ALSO_ARGS" ]; then header="$header $n signalmesh $ALSO_ARGS |"; line="$line---:|"; fi
  done
  echo "$header"; echo "$line"
  for row in "$@"; do
    local label=${row%%|*}
    local expr=${row#*|}
    local out="| $label |"
    for n in "${names[@]}"; do
      out="$out $(val "$OUT/$n.baseline.json" "$expr") | $(val "$OUT/$n.signalmesh.json" "$expr") |"
      if [ -n "$ALSO_ARGS" ]; then out="$out $(val "$OUT/$n.also.json" "$expr") |"; fi
    done
    echo "$out"
  done
}
echo "Results in $OUT (signalmesh flags: ${NODE_JAVA_OPTS:-} ${NODE_ARGS:-none}${ALSO_ARGS:+; third column: $ALSO_ARGS}; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
if wants relay; then
  names=(); for rate in $RATES; do names+=("relay-$rate"); done
  title="relay: $CLIENTS clients in rooms of $ROOM_SIZE, $WARMUP warm-up, $DURATION measured"
  [ "$ROUNDS" -gt 1 ] && title="$title; the round of the median CPU ratio of $ROUNDS"
  table "$title" "${names[@]}" -- \
    "sent/s|.sendRate" "delivered/s|.deliveredPerSec" "lost|.lost" "duplicated|.duplicated" "out of order|.outOfOrder" \
    "wrong senderId|.wrongSender" "p50 ms|.latencyMs.p50" "p90 ms|.latencyMs.p90" "p99 ms|.latencyMs.p99" \
    "p99.9 ms|.latencyMs.p999" "max ms|.latencyMs.max" "server CPU µs/msg|.server.cpuUsPerMsg" \
    "server CPU %|.server.cpuPercent" "server RSS MB after|(.server.rssKbAfter/1024|floor)" \
    "error frames|(.errors|tostring)" "load generator CPU %|.loadGenerator.cpuPercent" "run error|.error"
  # the issue's targets are ratios to the baseline of the same run, and of the same round
  echo
  for rate in $RATES; do
    for round in $(seq 1 "$ROUNDS"); do
      r="$OUT/relay-$rate-r$round"
      line="at $rate msgs/s, round $round: CPU per message against the baseline: signalmesh $(ratio_x "$r.signalmesh.json" "$r.baseline.json")"
      if [ -n "$ALSO_ARGS" ]; then line="$line, signalmesh $ALSO_ARGS $(ratio_x "$r.also.json" "$r.baseline.json")"; fi
      line="$line; p99 ms: baseline $(val "$r.baseline.json" .latencyMs.p99), signalmesh $(val "$r.signalmesh.json" .latencyMs.p99)"
      if [ -n "$ALSO_ARGS" ]; then line="$line, signalmesh $ALSO_ARGS $(val "$r.also.json" .latencyMs.p99)"; fi
      echo "$line"
    done
  done
fi
wants connections && table "connections: $CONNECTIONS idle WebSockets, permessage-deflate offered, held 5 s" connections -- \
  "established|.established" "failures|(.failures|tostring)" "connects/s|.connectRate" "connect p50 ms|.connectMs.p50" \
  "connect p99 ms|.connectMs.p99" "open after hold|.openAfterHold" "deflate negotiated|.deflateNegotiated" \
  "server RSS KB/connection|.server.rssKbPerConnection" "server RSS MB after|(.server.rssKbAfter/1024|floor)"
wants join && table "join: $JOIN_CLIENTS clients joining rooms of 2 at once (median of $JOIN_BURSTS bursts after $JOIN_WARMUPS unmeasured)" join-burst -- \
  "joins|.joins" "joins/s|.joinsPerSec" "joins/s of each burst|(.bursts|map(round)|join(\", \"))" \
  "first burst (cold) joins/s|(.coldJoinsPerSec // \"-\"|tostring)" "p50 ms|.latencyMs.p50" "p99 ms|.latencyMs.p99" "max ms|.latencyMs.max" \
  "failures|(.failures|tostring)" "server CPU µs/join|.server.cpuUsPerJoin" "run error|.error"
if wants cold; then
  names=(); for round in $(seq 1 "$COLD_ROUNDS"); do names+=("cold-$round"); done
  table "cold: a fresh server's first burst of $JOIN_CLIENTS clients joining rooms of 2, $COLD_ROUNDS rounds" "${names[@]}" cold-median -- \
    "joins/s|.joinsPerSec" "p50 ms|.latencyMs.p50" "p99 ms|.latencyMs.p99" "failures|(.failures|tostring)" \
    "server CPU µs/join|.server.cpuUsPerJoin" "run error|.error"
fi
wants churn && table "churn: $CHURN_RATE call set-ups/s for $CHURN_DURATION (join -> last candidate)" churn -- \
  "started|.started" "completed|.completed" "set-ups/s|.setupsPerSec" "set-up p50 ms|.setupMs.p50" \
  "set-up p99 ms|.setupMs.p99" "set-up max ms|.setupMs.max" "failures|(.failures|tostring)" \
  "wrong senderId|.wrongSender" "server CPU µs/set-up|.server.cpuUsPerSetup" \
  "server RSS MB before|(.server.rssKbBefore/1024|floor)" "server RSS MB after|(.server.rssKbAfter/1024|floor)"
exit 0
