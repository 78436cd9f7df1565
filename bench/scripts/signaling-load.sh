#!/usr/bin/env bash
# Signaling load: N WebSocket sessions against a fresh Parkway (one server per size), joining rooms of 50 (one
# speaker, 49 listeners) and relaying offers/answers/candidates; prints each run's summary and a table.
#
# Expects a build: (cd "$ROOT" && mvn -q -B -DskipTests install). Builds nothing itself.
# The server is pinned to CPU 0 and the load (io.parkway.bench.SignalingLoad) to CPU 1 (taskset). The server runs
# with the launcher's production JVM options (./parkway's default_java_opts) unless PARKWAY_JAVA_OPTS is set, and a
# config that differs from the shipped defaults only where 10k sessions from one address need it:
#   signaling.max-connections-per-ip: 100000 (default 20: every session comes from 127.0.0.1)
#   listen addresses on 127.0.0.1 port 0 (ephemeral; the signaling port is read from the server's log)
#   drain-timeout: 0 (stops at once after each run; there are no TURN allocations to drain)
# Everything else keeps its default: max-listeners 50, max-rooms 1000, max-messages-per-second 50 (the busiest
# speaker sends rate x 25 messages/s at 50 sessions per room), a TURN REST secret so every welcome carries TURN
# credentials, as in production. Both JVMs log GC pauses (-Xlog:gc to a file, which changes nothing else); each run
# ends with the count and the longest pauses of each.
#
# Usage: bench/scripts/signaling-load.sh [-n "1000 5000 10000"] [-r RATE_PER_SESSION] [-c CONNECT_RATE]
#                                        [-d SECONDS] [-w WARMUP_SECONDS] [-- extra SignalingLoad options]
# Environment: PARKWAY_JAVA_OPTS, LOAD_JAVA_OPTS (default: G1 with a 10 ms pause goal, 512 MiB-1 GiB heap, Netty leak
#              detection off), SERVER_CPU (0), LOAD_CPU (1), KEEP=1 keeps the temp dir with logs.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SIZES="1000 5000 10000" RATE=1 CONNECT_RATE=200 DURATION=20 WARMUP=3
while getopts "n:r:c:d:w:" opt; do
  case $opt in
    n) SIZES=$OPTARG ;; r) RATE=$OPTARG ;; c) CONNECT_RATE=$OPTARG ;; d) DURATION=$OPTARG ;; w) WARMUP=$OPTARG ;;
    *) sed -n '2,21p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
EXTRA=("$@")

SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
JAR="$ROOT/server/target/parkway.jar"
CLASSES="$ROOT/bench/target/classes"
for f in "$JAR" "$CLASSES/io/parkway/bench/SignalingLoad.class"; do
  [[ -e $f ]] || { echo "missing $f: run (cd $ROOT && mvn -q -B -DskipTests install) first" >&2; exit 1; }
done
if [[ -z ${PARKWAY_JAVA_OPTS+set} ]]; then
  PARKWAY_JAVA_OPTS=$(sed -n 's/^default_java_opts="\(.*\)"$/\1/p' "$ROOT/parkway")
fi
LOAD_JAVA_OPTS=${LOAD_JAVA_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=10 -Xms512m -Xmx1g -Dio.netty.leakDetection.level=disabled}
max_n=0
for n in $SIZES; do (( n > max_n )) && max_n=$n; done
if (( $(ulimit -n) < max_n + 1000 )); then
  echo "ulimit -n is $(ulimit -n): each JVM needs one descriptor per session plus ~1000 (raise it: ulimit -n $((max_n + 1000)))" >&2
  exit 1
fi

TMP=$(mktemp -d)
PW_PID=
stop_server() {
  if [[ -n $PW_PID ]]; then
    kill "$PW_PID" 2>/dev/null || true
    wait "$PW_PID" 2>/dev/null || true
    PW_PID=
  fi
}
cleanup() {
  stop_server
  if [[ ${KEEP:-0} == 1 ]]; then echo "logs kept in $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

cat > "$TMP/parkway.yaml" <<YAML
realm: parkway.test
turn:
  listen: [ "udp://127.0.0.1:0" ]
  relay:
    address: 127.0.0.1
    ports: 61000-61999
  rest-secrets: [ "benchsecret" ]
log:
  level: INFO
drain-timeout: 0
metrics:
  listen: "http://127.0.0.1:0"
signaling:
  listen: "http://127.0.0.1:0"
  max-connections-per-ip: 100000
YAML

start_server() { # start_server LOG GC_LOG
  # shellcheck disable=SC2086
  taskset -c "$SERVER_CPU" java $PARKWAY_JAVA_OPTS -Xlog:gc:file="$2" -jar "$JAR" serve --config "$TMP/parkway.yaml" \
    > "$1" 2>&1 &
  PW_PID=$!
  local port=
  for _ in $(seq 1 300); do
    port=$(sed -n 's#.*Signaling listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$1" | head -1)
    [[ -n $port ]] && break
    kill -0 "$PW_PID" 2>/dev/null || { echo "server died:" >&2; tail -20 "$1" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n $port ]] || { echo "server did not report its signaling port:" >&2; tail -20 "$1" >&2; exit 1; }
  PORT=$port
}

gc_pauses() { # gc_pauses GC_LOG: the number of pauses and the longest three
  local pauses
  pauses=$(awk '/Pause/ { print $NF + 0 }' "$1" | sort -n)
  echo "$(grep -c . <<< "$pauses" || true) pauses, longest $(tail -3 <<< "$pauses" | tr '\n' ' ')ms"
}

echo "load: sessions ${SIZES}, rate $RATE relayed messages/s per session, connect $CONNECT_RATE/s," \
     "${WARMUP}s warm-up + ${DURATION}s measured; server on CPU $SERVER_CPU ($PARKWAY_JAVA_OPTS)," \
     "load on CPU $LOAD_CPU; load average $(cut -d' ' -f1-3 /proc/loadavg)"
touch "$TMP/results"
for n in $SIZES; do
  start_server "$TMP/parkway.$n.log" "$TMP/parkway-gc.$n.log"
  sleep 2 # let the JVM settle after start-up before reading its idle RSS
  echo "--- $n sessions: parkway pid $PW_PID on port $PORT, idle RSS $(awk '/VmRSS/{print $2}' /proc/$PW_PID/status) KiB"
  # shellcheck disable=SC2086
  taskset -c "$LOAD_CPU" java $LOAD_JAVA_OPTS -Xlog:gc:file="$TMP/load-gc.$n.log" -cp "$CLASSES:$JAR" \
    io.parkway.bench.SignalingLoad \
    --url "ws://127.0.0.1:$PORT/ws" --sessions "$n" --rate "$RATE" --connect-rate "$CONNECT_RATE" \
    --warmup "$WARMUP" --duration "$DURATION" --server-pid "$PW_PID" "${EXTRA[@]}" 2>&1 | tee "$TMP/load.$n.txt" \
    || true
  line=$(grep '^RESULT' "$TMP/load.$n.txt" || true)
  [[ -n $line ]] && echo "${line#RESULT }" >> "$TMP/results"
  if grep -q -E 'ERROR|Exception' "$TMP/parkway.$n.log"; then
    echo "server log of the $n-session run has errors:" >&2
    grep -E -m 10 'ERROR|Exception' "$TMP/parkway.$n.log" >&2
  fi
  stop_server
  for side in parkway load; do
    echo "$side GC: $(gc_pauses "$TMP/$side-gc.$n.log")"
  done
done

python3 - "$TMP/results" <<'PY'
import sys
rows = []
for line in open(sys.argv[1]):
    rows.append(dict(x.split('=', 1) for x in line.split()))
cols = [("sessions", "sessions"), ("joined", "joined"), ("held", "held"), ("failures", "failures"),
        ("joins/s", "connect_rate"), ("msg/s", "msg_rate"), ("lost", "lost"), ("p50 us", "lat_p50_us"),
        ("p99 us", "lat_p99_us"), ("max us", "lat_max_us"), ("server CPU %", "server_cpu_pct"),
        ("CPU us/msg", "cpu_us_per_msg"), ("RSS conn. KiB", "rss_connected_kib"), ("load CPU %", "load_cpu_pct"),
        ("loadavg1", "loadavg1")]
print()
print("| " + " | ".join(c[0] for c in cols) + " |")
print("|" + "|".join("---:" for _ in cols) + "|")
for r in rows:
    print("| " + " | ".join(r.get(k, "-") for _, k in cols) + " |")
PY
