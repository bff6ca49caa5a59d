#!/usr/bin/env bash
# The issue-8 targets that bench/compare.sh does not cover, each against a freshly started node on
# free loopback ports of this machine (docs/benchmarks.md says which table each run produced).
#
#   bench/targets.sh [--jar target/signalmesh.jar] [--out DIR] <run>...
#
# runs: churn500         10 s at 100/s, then 500 set-ups/s for 20 s (load generator cold: a new JVM)
#       churn500-warm    30 s at 300/s, then 500 set-ups/s for 20 s after a 10 s --warmup at 500/s in
#                        the same load generator JVM (its JIT done before the measured window)
#       churn500-pinned  churn500-warm with the node on core 0 (taskset -c 0, --event-loops 1) and the
#                        load generator on core 1 (taskset -c 1, --event-loops 1): neither queues
#                        behind the other (2 cores needed; other work on the machine still can); a
#                        20 s --warmup, as the generator's JIT shares its one core with its loop
#       conn-default     19,600 idle WebSockets, permessage-deflate offered (G1 defaults)
#       conn-newsize     the same with -XX:MaxNewSize=64m (the image's flag)
#       idle-relay       10,000 idle WebSockets held, then relay 5,000 msgs/s among 200 more clients for
#                        45 s: what the ping rounds do to the relayed messages' latency
#       redis-join       own redis-server; a 5,000-client burst on the fresh node, then 2,000 joins/s paced
#       redis-join-warm  own redis-server; 20 s at 1,000 joins/s, then 2,000/s paced twice, then the burst
#       churn10m         -XX:MaxNewSize=64m; 60 s at 100/s, then 600 s at 100/s (RSS after each)
#       first-bursts     a fresh node (NODE_SERVE_FLAGS, e.g. "--warm-up-joins 10000"), then FIRST_BURSTS
#                        (default 3) bursts of 5,000 clients joining rooms of 2, each from a new load
#                        generator JVM, with the node's thread CPU over each (connects and burst) split
#                        into the JIT's compiler threads (C2, C1), the event loops and the rest: how
#                        long the JIT keeps working once real clients come
#       two-nodes        own redis-server; relay 5,000 msgs/s on one clustered node, then on two with
#                        every pair spanning both (two-nodes-one.json, two-nodes.json), then on the
#                        same two with every pair on one node (two-nodes-local.json); each after a
#                        warm-up of TWO_NODES_WARMUP (default 30s: the JIT still compiles the
#                        cross-node path 15 s in), measured for 20 s
# Each run writes its JSON lines into DIR (default: a temp folder, named at the end); progress goes
# to DIR/runs.txt with the load average. Needs java 17+, curl, jq (first-bursts), redis-server (redis runs only),
# taskset (pinned run only), perf (NODE_PERF_STAT only). BENCH_JAVA_OPTS goes to the load
# generator's JVM, e.g. a profile of the measured churn run: BENCH_JAVA_OPTS="-XX:StartFlightRecording=filename=gen.jfr,settings=profile".
# NODE_JAVA (default: java) is the nodes' java command, e.g. another JDK's bin/java.
# NODE_JAR (default: the --jar) is what the nodes run, e.g. an earlier build against today's load
# generator. NODE_JAVA_OPTS goes to every node's JVM, NODE_SERVE_FLAGS to every node's serve command (e.g.
# "--event-loops 1"). NODE_PERF_STAT=1 counts the nodes' syscalls and context switches in the two-nodes
# relays (perf stat over 10 s of each measured window, into DIR/<relay>.perfstat with the relays that
# arrived; per relay in DIR/runs.txt). NODE_JFR=1 records each node started with JFR's profile settings
# into DIR/<label>.jfr (read with
# `jfr print --events jdk.ExecutionSample` or `jfr summary`).
set -u
JAR=target/signalmesh.jar
OUT=""
while [ $# -gt 0 ]; do
  case $1 in
    --jar) JAR=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d'; exit 0 ;;
    *) break ;;
  esac
done
[ -f "$JAR" ] || { echo "no $JAR: build it with mvn -q -DskipTests package" >&2; exit 1; }
# a run's files are named by the run: a second one in the same folder would overwrite the first's
dup=$(printf '%s\n' "$@" | sort | uniq -d | head -1)
[ -z "$dup" ] || { echo "run $dup named twice: repeat it with an --out folder per call" >&2; exit 2; }
OUT=${OUT:-$(mktemp -d /tmp/signalmesh-targets.XXXXXX)}
mkdir -p "$OUT"
BENCH="java ${BENCH_JAVA_OPTS:-} -jar $JAR bench"
FLAGS="--host 127.0.0.1 --rate-limit 1000000 --rate-burst 1000000 --max-connections-per-ip 1000000 --join-rate 1000000 --join-burst 1000000"
NODE_PID=""; REDIS_PID=""; OTHER_NODE_PID=""
cleanup() { for p in $NODE_PID $OTHER_NODE_PID $REDIS_PID; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT

free_port() { # a free port below the ephemeral range
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }
  done
}
start_node() { # $1 label, $2 JVM flags, rest: extra serve flags; NODE_CMD_PREFIX (e.g. taskset -c 0) before java
  local label=$1 jopts=$2; shift 2
  local port mport
  port=$(free_port); mport=$(free_port)
  jopts="$jopts ${NODE_JAVA_OPTS:-}"
  [ -n "${NODE_JFR:-}" ] && jopts="$jopts -XX:StartFlightRecording=filename=$OUT/$label.jfr,settings=profile,dumponexit=true"
  ${NODE_CMD_PREFIX:-} "${NODE_JAVA:-java}" $jopts -jar "${NODE_JAR:-$JAR}" serve $FLAGS --port "$port" --management-port "$mport" ${NODE_SERVE_FLAGS:-} "$@" > "$OUT/$label.node.log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$mport/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -sf "http://127.0.0.1:$mport/health/ready" >/dev/null || { echo "node $label did not get ready" >&2; exit 1; }
  URL=ws://127.0.0.1:$port/ws
}
stop_node() { kill "$NODE_PID"; wait "$NODE_PID" 2>/dev/null; NODE_PID=""; }
# two_nodes_relay <output name> <urls...>: the two-nodes run's relay load (5,000 msgs/s, rooms of 2,
# round robin over the URLs), measured on the node(s) started
two_nodes_relay() {
  local name=$1; shift
  local args=(); for u in "$@"; do args+=(--url "$u"); done
  local pids=""
  for p in $OTHER_NODE_PID $NODE_PID; do args+=(--server-pid "$p"); pids="$pids${pids:+,}$p"; done
  local warmup=${TWO_NODES_WARMUP:-30s}
  $BENCH relay --clients 200 --room-size 2 --rate 5000 --warmup "$warmup" --duration 20s "${args[@]}" \
    > "$OUT/$name.json" 2> "$OUT/$name.err" &
  local bench=$!
  [ -n "${NODE_PERF_STAT:-}" ] && perf_stat_window "$name" "$pids" "$warmup" "$bench"
  wait "$bench"
}
arrived() { grep -o 'arrived=[0-9]*' "$OUT/$1.err" | tail -1 | cut -d= -f2; }
# perf_stat_window <name> <pids> <warm-up, e.g. 30s> <bench pid>: syscalls, context switches and CPU
# of the nodes over 10 s from the 5th second of the measured window, with the relays that arrived
perf_stat_window() {
  local name=$1 pids=$2 warmup=$3 bench=$4 from before after
  [[ $warmup =~ ^[0-9]+s$ ]] || { echo "NODE_PERF_STAT needs TWO_NODES_WARMUP in seconds, e.g. 30s" >&2; return 0; }
  from=$(( ${warmup%s} + 5 ))
  # the load generator reports its progress every second: wait for the second the window starts
  until grep -q "relay ${from}s " "$OUT/$name.err" 2>/dev/null; do
    kill -0 "$bench" 2>/dev/null || return 0
    sleep 0.2
  done
  before=$(arrived "$name")
  perf stat -e raw_syscalls:sys_enter,context-switches,task-clock -x, -o "$OUT/$name.perfstat" -p "$pids" -- sleep 10
  after=$(arrived "$name")
  echo "relays,$((after - before))" >> "$OUT/$name.perfstat"
  awk -F, -v n=$((after - before)) -v name="$name" '$3 ~ /sys_enter|context-switches/ && n > 0 {
    printf "%s: %s per relay %.2f\n", name, $3, $1 / n }' "$OUT/$name.perfstat" >> "$OUT/runs.txt"
}
start_redis() {
  RPORT=$(free_port)
  redis-server --port "$RPORT" --save '' --appendonly no > "$OUT/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 50); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && return; sleep 0.1; done
  echo "redis-server did not start" >&2; exit 1
}
stop_redis() { kill "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null; REDIS_PID=""; }
# thread_cpu <pid>: "<C2> <C1> <event loops> <rest>", CPU ms of the process's threads so far (a
# thread that ended in between is not counted); one pass over the threads' stat files, each
# "tid (name) state ..." with utime and stime the 12th and 13th fields after the name
thread_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '
    {
      open = index($0, "(")
      for (end = length($0); end > open && substr($0, end, 1) != ")"; end--) {}
      name = substr($0, open + 1, end - open - 1)
      split(substr($0, end + 2), f, " ")
      ticks = f[12] + f[13]
      if (name ~ /^C2 Compiler/) c2 += ticks
      else if (name ~ /^C1 Compiler/) c1 += ticks
      else if (name ~ /^vert\.x-eventloo/) loops += ticks
      else rest += ticks
    }
    END { printf "%d %d %d %d\n", c2 * 1000 / hz, c1 * 1000 / hz, loops * 1000 / hz, rest * 1000 / hz }
  ' /proc/"$1"/task/*/stat 2>/dev/null
}
redis_cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$REDIS_PID/stat"; }
redis_commands() { redis-cli -p "$RPORT" info commandstats | grep -o 'calls=[0-9]*' | cut -d= -f2 | awk '{s+=$1} END {print s+0}'; }
join() { # $1 output name, rest: bench join flags
  local name=$1; shift
  local before after cpu_before cpu_after
  before=$(redis_commands); cpu_before=$(redis_cpu_ms)
  $BENCH join --room-size 2 --connect-rate 2000 --timeout 20s --url "$URL" --server-pid "$NODE_PID" "$@" \
    > "$OUT/$name.json" 2> "$OUT/$name.err"
  after=$(redis_commands); cpu_after=$(redis_cpu_ms)
  echo "$name: $((after - before)) Redis commands, redis-server CPU $((cpu_after - cpu_before)) ms" >> "$OUT/runs.txt"
}

for run in "$@"; do
  echo "== $run $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/runs.txt"
  case $run in
    churn500|churn500-warm)
      start_node "$run" ""
      if [ "$run" = churn500 ]; then warm="--rate 100 --duration 10s"; else warm="--rate 300 --duration 30s"; fi
      $BENCH churn $warm --url "$URL" --server-pid "$NODE_PID" > "$OUT/$run.warmup.json" 2>/dev/null
      if [ "$run" = churn500 ]; then gen_warm=""; else gen_warm="--warmup 10s"; fi
      $BENCH churn --rate 500 $gen_warm --duration 20s --url "$URL" --server-pid "$NODE_PID" > "$OUT/$run.json" 2> "$OUT/$run.err"
      stop_node ;;
    churn500-pinned)
      NODE_CMD_PREFIX="taskset -c 0" start_node "$run" "" --event-loops 1
      taskset -c 1 $BENCH churn --rate 300 --duration 30s --event-loops 1 --url "$URL" --server-pid "$NODE_PID" \
        > "$OUT/$run.warmup.json" 2>/dev/null
      taskset -c 1 $BENCH churn --rate 500 --warmup 20s --duration 20s --event-loops 1 --url "$URL" --server-pid "$NODE_PID" \
        > "$OUT/$run.json" 2> "$OUT/$run.err"
      stop_node ;;
    conn-default|conn-newsize)
      jopts=""; [ "$run" = conn-newsize ] && jopts="-XX:MaxNewSize=64m"
      start_node "$run" "$jopts"
      $BENCH connections --connections 19600 --connect-rate 2000 --hold 10s --deflate --timeout 30s \
        --url "$URL" --server-pid "$NODE_PID" > "$OUT/$run.json" 2> "$OUT/$run.err"
      stop_node ;;
    idle-relay)
      # the idle connections are held past the relay's end, so that every ping round of its 50 s
      # falls on 10,200 open connections
      start_node "$run" ""
      $BENCH connections --connections 10000 --connect-rate 2000 --hold 70s --url "$URL" \
        > "$OUT/$run.idle.json" 2> "$OUT/$run.idle.err" &
      idle=$!
      for _ in $(seq 1 100); do grep -q 'connections: holding' "$OUT/$run.idle.err" 2>/dev/null && break; sleep 0.2; done
      $BENCH relay --clients 200 --room-size 2 --rate 5000 --warmup 5s --duration 45s --url "$URL" \
        --server-pid "$NODE_PID" > "$OUT/$run.json" 2> "$OUT/$run.err"
      wait "$idle"
      echo "$run: $(jq -r '"p99 \(.latencyMs.p99) ms, p99.9 \(.latencyMs.p999) ms, max \(.latencyMs.max) ms, lost \(.lost)"' "$OUT/$run.json"); idle connections open after their hold: $(jq -r '.openAfterHold' "$OUT/$run.idle.json") of 10000" \
        | tee -a "$OUT/runs.txt"
      stop_node ;;
    redis-join)
      start_redis
      start_node "$run" "" --redis "redis://127.0.0.1:$RPORT"
      join redis-join-burst --clients 5000 --mode burst
      join redis-join-steady --clients 2000 --mode steady --rate 2000 --duration 15s
      stop_node; stop_redis ;;
    redis-join-warm)
      start_redis
      start_node "$run" "" --redis "redis://127.0.0.1:$RPORT"
      join redis-join-warmup --clients 2000 --mode steady --rate 1000 --duration 20s
      join redis-join-warm-steady --clients 2000 --mode steady --rate 2000 --duration 15s
      join redis-join-warm-steady2 --clients 2000 --mode steady --rate 2000 --duration 15s
      join redis-join-warm-burst --clients 5000 --mode burst
      stop_node; stop_redis ;;
    two-nodes)
      start_redis
      redis="redis://127.0.0.1:$RPORT"
      # the one-node figure of the same run: one clustered node on the same Redis
      cp=$(free_port)
      start_node two-nodes-one "" --redis "$redis" --cluster --cluster-host 127.0.0.1 --cluster-port "$cp" \
        --cluster-members "127.0.0.1:$cp"
      two_nodes_relay two-nodes-one "$URL"
      stop_node
      redis-cli -p "$RPORT" flushall > /dev/null
      cpa=$(free_port); cpb=$(free_port); members="127.0.0.1:$cpa,127.0.0.1:$cpb"
      start_node two-nodes-a "" --redis "$redis" --cluster --cluster-host 127.0.0.1 --cluster-port "$cpa" --cluster-members "$members"
      OTHER_NODE_PID=$NODE_PID; URL_A=$URL
      start_node two-nodes-b "" --redis "$redis" --cluster --cluster-host 127.0.0.1 --cluster-port "$cpb" --cluster-members "$members"
      # rooms of 2 over the URLs a, b: every pair spans both nodes
      two_nodes_relay two-nodes "$URL_A" "$URL"
      # the same two nodes with every pair on one node (URLs a, a, b, b): what a second node costs
      # without any message crossing
      two_nodes_relay two-nodes-local "$URL_A" "$URL_A" "$URL" "$URL"
      stop_node; NODE_PID=$OTHER_NODE_PID; OTHER_NODE_PID=""; stop_node; stop_redis ;;
    first-bursts)
      start_node "$run" ""
      for i in $(seq 1 "${FIRST_BURSTS:-3}"); do
        read -r c2a c1a la ra < <(thread_cpu "$NODE_PID")
        $BENCH join --clients 5000 --room-size 2 --mode burst --connect-rate 2000 --timeout 20s --url "$URL" \
          --server-pid "$NODE_PID" > "$OUT/first-burst-$i.json" 2> "$OUT/first-burst-$i.err"
        read -r c2b c1b lb rb < <(thread_cpu "$NODE_PID")
        echo "first-burst-$i: $(jq -r '"\(.joinsPerSec // "no") joins/s, \(.server.cpuUsPerJoin // "?") µs CPU per join"' \
          "$OUT/first-burst-$i.json"); node threads over the connects and the burst: C2 $((c2b - c2a)) ms, C1 $((c1b - c1a)) ms, event loops $((lb - la)) ms, the rest $((rb - ra)) ms" \
          | tee -a "$OUT/runs.txt"
      done
      stop_node ;;
    churn10m)
      start_node "$run" "-XX:MaxNewSize=64m"
      $BENCH churn --rate 100 --duration 60s --url "$URL" --server-pid "$NODE_PID" > "$OUT/$run.warmup.json" 2>/dev/null
      $BENCH churn --rate 100 --duration 600s --url "$URL" --server-pid "$NODE_PID" > "$OUT/$run.json" 2> "$OUT/$run.err"
      stop_node ;;
    *) echo "unknown run $run (see --help)" >&2; exit 2 ;;
  esac
done
echo "== done $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT" | tee -a "$OUT/runs.txt"
