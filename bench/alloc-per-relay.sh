#!/usr/bin/env bash
# bench/alloc-per-relay.sh <label> <jar> [serve flags]: bytes allocated per relayed message from ONE scrape pair (relayed counter and
# jvm_gc_memory_allocated_bytes_total read in the same /metrics response), small young gen for resolution
# one node (-Xmn16m: a GC every few MB, so the allocation counter moves in small steps) and
# `bench relay` at $RATE (default 5000); after 24 s, 20 s between two scrapes of /metrics, with
# perf counting syscalls meanwhile. Needs perf, curl, python3. Figures per relayed message.
set -u
LABEL=$1; JAR=$2; shift 2
D=$(mktemp -d /tmp/alloc-per-relay-$LABEL.XXXXXX)
PORT=$((20000 + RANDOM % 5000)); MPORT=$((PORT+1))
RATE=${RATE:-5000}
java -Xmn16m -jar $JAR serve --host 127.0.0.1 --port $PORT --management-port $MPORT \
  --rate-limit 1000000 --rate-burst 1000000 --max-connections-per-ip 1000000 "$@" > $D/node.log 2>&1 &
PID=$!
for i in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:$PORT/ && break; sleep 0.2; done
java -jar $JAR bench relay --clients 200 --room-size 2 --rate $RATE --warmup 20s --duration 25s \
  --url ws://127.0.0.1:$PORT/ws --server-pid $PID > $D/bench.json 2> $D/bench.err &
BPID=$!
sleep 24
scrape() { curl -s http://127.0.0.1:$MPORT/metrics | awk '/^signalmesh_relayed_messages_total/ {m+=$2} /^jvm_gc_memory_allocated_bytes_total/ {a+=$2} END {printf "%d %d", m, a}'; }
S1=$(scrape)
perf stat -e raw_syscalls:sys_enter,context-switches -p $PID -- sleep 20 > $D/perf.txt 2>&1
S2=$(scrape)
wait $BPID
uptime > $D/load.txt
kill $PID; wait $PID 2>/dev/null
python3 - $S1 $S2 $D <<'PY'
import sys,json
m1,a1,m2,a2,d=int(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3]),int(sys.argv[4]),sys.argv[5]
p=open(d+'/perf.txt').read().split('\n')
sc=[int(l.split()[0].replace(',','')) for l in p if 'raw_syscalls' in l][0]
cs=[int(l.split()[0].replace(',','')) for l in p if 'context-switches' in l][0]
m=m2-m1
b=json.load(open(d+'/bench.json'))
print(f"relayed in window {m}  bytes allocated/msg {(a2-a1)/m:.0f}  syscalls/msg {sc/m:.2f} (perf window ~= scrape window)  ctxsw/msg {cs/m:.3f}")
print('bench', {k:b.get(k) for k in ['sendRate','deliveredPerSec','lost','duplicated','outOfOrder','wrongSender']}, 'p50/p99', b['latencyMs'].get('p50'), b['latencyMs'].get('p99'), 'server cpu us/msg', b['server'].get('cpuUsPerMsg'))
PY
cat $D/load.txt
