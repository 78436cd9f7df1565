#!/usr/bin/env bash
# Side-by-side TURN relay benchmark: Parkway vs coturn on loopback, same load, alternating A B A B.
#
# Expects a build: (cd "$ROOT" && mvn -q -DskipTests package). Builds nothing itself.
# Each server is pinned to CPU 0, the load generator and its built-in UDP echo peer to CPU 1 (taskset).
# The generator reads the server's utime+stime from /proc/PID/stat around the measured window (after a warm-up) and
# its VmRSS at the end; "relayed packets" = client->peer packets offered + peer->client packets received back.
#
# Usage: bench/scripts/compare.sh [-r RUNS] [-n ALLOCATIONS] [-p PPS_PER_ALLOCATION] [-s PAYLOAD] [-d SECONDS]
#                                 [-w WARMUP_SECONDS] [-- extra LoadGenerator options, e.g. --send-indications]
# Environment: PARKWAY_JAVA_OPTS (JVM options for the server), LOAD_JAVA_OPTS, SERVER_CPU (0), LOAD_CPU (1),
#              PARKWAY_PORT (23478), COTURN_PORT (24478), KEEP=1 keeps the temp dir with logs.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=3 N=100 PPS=200 SIZE=170 DURATION=20 WARMUP=3
while getopts "r:n:p:s:d:w:" opt; do
  case $opt in
    r) RUNS=$OPTARG ;; n) N=$OPTARG ;; p) PPS=$OPTARG ;; s) SIZE=$OPTARG ;; d) DURATION=$OPTARG ;;
    w) WARMUP=$OPTARG ;; *) sed -n '2,14p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
EXTRA=("$@")

SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
PARKWAY_PORT=${PARKWAY_PORT:-23478}
COTURN_PORT=${COTURN_PORT:-24478}
JAR="$ROOT/server/target/parkway.jar"
CLASSES="$ROOT/bench/target/classes"
for f in "$JAR" "$CLASSES/io/parkway/bench/LoadGenerator.class"; do
  [[ -e $f ]] || { echo "missing $f: run (cd $ROOT && mvn -q -DskipTests package) first" >&2; exit 1; }
done
command -v turnserver >/dev/null || { echo "turnserver not found (Debian package coturn)" >&2; exit 1; }

TMP=$(mktemp -d)
PW_PID= CT_PID=
cleanup() {
  [[ -n $PW_PID ]] && kill "$PW_PID" 2>/dev/null && wait "$PW_PID" 2>/dev/null || true
  [[ -n $CT_PID ]] && kill "$CT_PID" 2>/dev/null && wait "$CT_PID" 2>/dev/null || true
  if [[ ${KEEP:-0} == 1 ]]; then echo "logs kept in $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

# Relay ports below/above the OS ephemeral range would be ideal; these two ranges are disjoint from each other.
cat > "$TMP/parkway.yaml" <<YAML
realm: parkway.test
turn:
  listen: [ "udp://127.0.0.1:$PARKWAY_PORT" ]
  relay:
    address: 127.0.0.1
    ports: 61000-62999
  users: { bench: bench }
  rest-secrets: [ "benchsecret" ]
  peers:
    allow: [ 127.0.0.0/8 ]
  allocations-per-user: 100000
  allocations-per-rest-credential: 100000
  max-allocations: 100000
log:
  level: WARN
metrics:
  listen: "http://127.0.0.1:0"
signaling:
  listen: "http://127.0.0.1:0"
YAML

# shellcheck disable=SC2086
taskset -c "$SERVER_CPU" java ${PARKWAY_JAVA_OPTS:-} -jar "$JAR" serve --config "$TMP/parkway.yaml" \
  > "$TMP/parkway.log" 2>&1 &
PW_PID=$!
taskset -c "$SERVER_CPU" turnserver -n --listening-ip 127.0.0.1 --listening-port "$COTURN_PORT" \
  --relay-ip 127.0.0.1 --min-port 63000 --max-port 64999 --lt-cred-mech --user bench:bench --realm parkway.test \
  --allow-loopback-peers --cli-password=x --no-cli --no-tls --no-dtls --log-file stdout > "$TMP/coturn.log" 2>&1 &
CT_PID=$!
sleep 4
for p in $PW_PID $CT_PID; do
  kill -0 "$p" 2>/dev/null || { echo "server $p died:" >&2; tail -20 "$TMP"/*.log >&2; exit 1; }
done
echo "parkway pid $PW_PID (idle RSS $(awk '/VmRSS/{print $2}' /proc/$PW_PID/status) KiB)," \
     "coturn pid $CT_PID (idle RSS $(awk '/VmRSS/{print $2}' /proc/$CT_PID/status) KiB)"

load() { # load NAME PORT PID RUN
  # shellcheck disable=SC2086
  taskset -c "$LOAD_CPU" java ${LOAD_JAVA_OPTS:-} -cp "$CLASSES:$JAR" io.parkway.bench.LoadGenerator \
    --server "127.0.0.1:$2" --server-pid "$3" -n "$N" --pps "$PPS" --size "$SIZE" --warmup "$WARMUP" \
    --duration "$DURATION" "${EXTRA[@]}" > "$TMP/$1.$4.txt" 2>&1 || true
  local line
  line=$(grep '^RESULT' "$TMP/$1.$4.txt" || true)
  if [[ -z $line ]]; then echo "$1 run $4: no result" >&2; cat "$TMP/$1.$4.txt" >&2; return; fi
  echo "$1 ${line#RESULT }" >> "$TMP/results"
  echo "run $4 $1: $(grep -E '^(offered|received|RTT|server)' "$TMP/$1.$4.txt" | tr '\n' ' ')"
}

echo "load: $N allocations x $PPS pps each way x $SIZE-byte payloads ${EXTRA[*]:-(channels)}," \
     "${WARMUP}s warm-up + ${DURATION}s measured, $RUNS runs each, alternating"
touch "$TMP/results"
for i in $(seq 1 "$RUNS"); do
  load parkway "$PARKWAY_PORT" "$PW_PID" "$i"
  load coturn "$COTURN_PORT" "$CT_PID" "$i"
done

python3 - "$TMP/results" "$N" "$PPS" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, *kv = line.split()
    rows.setdefault(name, []).append({k: float(v) for k, v in (x.split('=') for x in kv)})
def med(name, key):
    vals = [r[key] for r in rows.get(name, [])]
    return statistics.median(vals) if vals else float('nan')
target = int(sys.argv[2]) * int(sys.argv[3]) * 2
metrics = [
    ("CPU us per relayed packet", "cpu_us_per_pkt", "{:.2f}"),
    ("relayed pps (measured)", None, "{:.0f}"),
    ("loss %", "loss_pct", "{:.3f}"),
    ("RTT p50 us", "rtt_p50_us", "{:.0f}"),
    ("RTT p99 us", "rtt_p99_us", "{:.0f}"),
    ("RTT max us", "rtt_max_us", "{:.0f}"),
    ("RTT mean us", "rtt_mean_us", "{:.0f}"),
    ("jitter us", "jitter_us", "{:.0f}"),
    ("allocation set-up /s", "setup_rate", "{:.0f}"),
    ("RSS after run KiB", "rss_kib", "{:.0f}"),
]
n = {k: len(v) for k, v in rows.items()}
print(f"\nmedians of {n.get('parkway',0)} Parkway and {n.get('coturn',0)} coturn runs "
      f"(target {target} relayed pps; relayed = client->peer offered + peer->client received)")
print(f"| {'metric':28} | {'Parkway':>10} | {'coturn':>10} | {'Parkway/coturn':>14} |")
print(f"|{'-'*30}|{'-'*12}|{'-'*12}|{'-'*16}|")
for label, key, fmt in metrics:
    if key is None:
        p = statistics.median([r['relayed'] / r['seconds'] for r in rows.get('parkway', [])] or [float('nan')])
        c = statistics.median([r['relayed'] / r['seconds'] for r in rows.get('coturn', [])] or [float('nan')])
    else:
        p, c = med('parkway', key), med('coturn', key)
    ratio = f"{p / c:.2f}" if c and c == c and p == p else "-"
    print(f"| {label:28} | {fmt.format(p):>10} | {fmt.format(c):>10} | {ratio:>14} |")
PY
