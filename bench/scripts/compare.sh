#!/usr/bin/env bash
# Side-by-side TURN relay benchmark: Parkway vs coturn on loopback, same load, alternating A B A B; one table of
# medians with Parkway/coturn ratios at the end (bench/scripts/report.py).
#
# Expects a build: (cd "$ROOT" && mvn -q -DskipTests package). Builds nothing itself.
# Each server is pinned to SERVER_CPU, every load (generator with its echo peer, turnutils_uclient/_peer, jcmd) to
# LOAD_CPU (taskset). Server CPU = utime+stime from /proc/PID/stat; "relayed packets" = client->peer packets offered
# + peer->client packets received back. Parkway runs with the launcher's shipped JVM options (default_java_opts in
# ./parkway, the same as systemd/parkway.service) unless PARKWAY_JAVA_OPTS is set, plus -Xlog:gc to a file: each
# run reports its GC pauses (System.gc() and heap inspections that the idle phase itself triggers are left out).
#
# Phases (-m, comma-separated; default all):
#   load     RUNS x (Parkway, coturn): N allocations x PPS each way x SIZE bytes, WARMUP + DURATION s measured.
#   sweep    RUNS x (Parkway, coturn): one generator per sweep, SWEEP_N allocations stepping through SWEEP_RATES
#            (pps per allocation; SWEEP_DURATION s per step); the highest step with loss < MAX_LOSS % that the
#            generator offered in full (>= 99 %) is the server's max relayed pps. "limited_by=generator" means the
#            generator, not the server, ran out first: the figure is then a lower bound (raise SWEEP_THREADS and give
#            LOAD_CPU more cores, e.g. LOAD_CPU=1-3, where the machine has them).
#   idle     (runs last) RUNS x (Parkway, coturn): each time a freshly started server, warmed up, then IDLE_N
#            allocations set up (SETUP_CONCURRENCY in flight, each with a permission and a channel; before them,
#            SETUP_WARMUP allocations set up and released untimed, so that the set-up rate is measured with the
#            generator's and a Java server's JIT warm — without it both were mostly measuring C2 compiling) and held idle
#            (refreshed); memory before, while held, after release: Parkway's live heap after a full GC (jcmd
#            GC.class_histogram) and RSS, coturn's RSS (a fresh process each time: coturn keeps freed memory in its
#            pools, so a second run in one process would show almost no growth). Then once each CAPACITY_N
#            allocations (16k on one relay IP) with CAPACITY_PORTS relay ports, reporting set-up errors by method
#            and code.
#   uclient  RUNS x (Parkway, coturn): coturn's turnutils_uclient as the load (UCLIENT_M clients, UCLIENT_MESSAGES
#            messages each every UCLIENT_INTERVAL ms, SIZE bytes) through turnutils_peer; server CPU per relayed
#            packet from uclient's own totals (tot_send_msgs + tot_recv_msgs) over uclient's whole run (its
#            allocations are set up one after another first, and it waits for missing replies at the end: both
#            add idle server time), uclient's loss, RTT (1 ms resolution) and jitter, and the relayed rate while it
#            was sending (from its once-a-second progress lines).
#
# Usage: bench/scripts/compare.sh [-r RUNS] [-n ALLOCATIONS] [-p PPS_PER_ALLOCATION] [-s PAYLOAD] [-d SECONDS]
#                                 [-w WARMUP_SECONDS] [-m PHASES] [-- extra LoadGenerator options for load and sweep,
#                                 e.g. --send-indications or --tcp (uclient then gets -s or -t)]
# Environment (defaults in brackets):
#   PARKWAY_JAVA_OPTS [launcher's], LOAD_JAVA_OPTS [], SERVER_CPU [0], LOAD_CPU [1], PARKWAY_PORT [23478],
#   COTURN_PORT [24478] (UDP and TCP each), PARKWAY_RELAY [127.0.0.1], COTURN_RELAY [127.0.0.2],
#   PARKWAY_RELAY_PORTS [10000-31999], COTURN_RELAY_PORTS [10000-31999] (>= 16k each, outside the ephemeral range),
#   SWEEP_N [100], SWEEP_RATES [200,300,400,500,600,800,1000,1250,1500,2000], SWEEP_DURATION [5],
#   SWEEP_WARMUP [2], SWEEP_THREADS [1], MAX_LOSS [0.1],
#   IDLE_N [10000], SETUP_WARMUP [4000], CAPACITY_N [16000; 0 skips], CAPACITY_PORTS [16384: relay ports per server in the capacity run,
#   the size of the default range 49152-65535, from the start of each range above], SETUP_CONCURRENCY [64],
#   IDLE_SETTLE [3], IDLE_OPTS [] (extra
#   generator options for idle runs, e.g. --tcp: then the server holds 2 sockets per allocation, mind ulimit -n),
#   WARM_SECONDS [5] (an unrecorded load against each server first, so JVM start-up is not in any run; 0 skips),
#   UCLIENT_M [100], UCLIENT_MESSAGES [2000], UCLIENT_INTERVAL [5], UCLIENT_FLAGS [-c -X -g], UCLIENT_PEER_PORT [23480],
#   KEEP=1 keeps the temp dir with every log, GC log and class histogram.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCRIPTS="$ROOT/bench/scripts"
RUNS=3 N=100 PPS=200 SIZE=170 DURATION=20 WARMUP=3 PHASES=load,sweep,idle,uclient
while getopts "r:n:p:s:d:w:m:" opt; do
  case $opt in
    r) RUNS=$OPTARG ;; n) N=$OPTARG ;; p) PPS=$OPTARG ;; s) SIZE=$OPTARG ;; d) DURATION=$OPTARG ;;
    w) WARMUP=$OPTARG ;; m) PHASES=$OPTARG ;; *) sed -n '2,48p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
EXTRA=("$@")
phase() { [[ ",$PHASES," == *",$1,"* ]]; }

SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
PARKWAY_PORT=${PARKWAY_PORT:-23478}
COTURN_PORT=${COTURN_PORT:-24478}
PARKWAY_RELAY=${PARKWAY_RELAY:-127.0.0.1}
COTURN_RELAY=${COTURN_RELAY:-127.0.0.2}
PARKWAY_RELAY_PORTS=${PARKWAY_RELAY_PORTS:-10000-31999}
COTURN_RELAY_PORTS=${COTURN_RELAY_PORTS:-10000-31999}
SWEEP_N=${SWEEP_N:-100}
SWEEP_RATES=${SWEEP_RATES:-200,300,400,500,600,800,1000,1250,1500,2000}
SWEEP_DURATION=${SWEEP_DURATION:-5}
SWEEP_WARMUP=${SWEEP_WARMUP:-2}
SWEEP_THREADS=${SWEEP_THREADS:-1}
MAX_LOSS=${MAX_LOSS:-0.1}
IDLE_N=${IDLE_N:-10000}
SETUP_WARMUP=${SETUP_WARMUP:-4000}
CAPACITY_N=${CAPACITY_N:-16000}
CAPACITY_PORTS=${CAPACITY_PORTS:-16384}
SETUP_CONCURRENCY=${SETUP_CONCURRENCY:-64}
IDLE_SETTLE=${IDLE_SETTLE:-3}
WARM_SECONDS=${WARM_SECONDS:-5}
UCLIENT_M=${UCLIENT_M:-100}
UCLIENT_MESSAGES=${UCLIENT_MESSAGES:-2000}
UCLIENT_INTERVAL=${UCLIENT_INTERVAL:-5}
UCLIENT_FLAGS=${UCLIENT_FLAGS:--c -X -g}
UCLIENT_PEER_PORT=${UCLIENT_PEER_PORT:-23480}

JAR="$ROOT/server/target/parkway.jar"
CLASSES="$ROOT/bench/target/classes"
for f in "$JAR" "$CLASSES/io/parkway/bench/LoadGenerator.class" "$CLASSES/io/parkway/bench/LoadClient.class"; do
  [[ -e $f ]] || { echo "missing $f: run (cd $ROOT && mvn -q -DskipTests package) first" >&2; exit 1; }
done
command -v turnserver >/dev/null || { echo "turnserver not found (Debian package coturn)" >&2; exit 1; }
if phase uclient; then
  for t in turnutils_uclient turnutils_peer; do
    command -v $t >/dev/null || { echo "$t not found (Debian package coturn)" >&2; exit 1; }
  done
fi
if phase idle && ! command -v jcmd >/dev/null; then echo "jcmd not found (a JDK, not a JRE)" >&2; exit 1; fi

# The launcher's JVM options (what ./parkway and systemd/parkway.service ship); PARKWAY_JAVA_OPTS set (even empty)
# replaces them, as in the launcher.
LAUNCHER_OPTS=$(sed -n 's/^default_java_opts="\(.*\)"$/\1/p' "$ROOT/parkway")
PW_JAVA_OPTS=${PARKWAY_JAVA_OPTS-$LAUNCHER_OPTS}

read -r EPH_LO EPH_HI < /proc/sys/net/ipv4/ip_local_port_range
for range in "$PARKWAY_RELAY_PORTS" "$COTURN_RELAY_PORTS"; do
  lo=${range%-*} hi=${range#*-}
  if (( lo <= EPH_HI && hi >= EPH_LO )); then
    echo "warning: relay ports $range overlap the ephemeral range $EPH_LO-$EPH_HI (ip_local_port_range) that the" \
         "generator's client sockets come from" >&2
  fi
done
if [[ $PARKWAY_RELAY == "$COTURN_RELAY" ]]; then
  pl=${PARKWAY_RELAY_PORTS%-*} ph=${PARKWAY_RELAY_PORTS#*-} cl=${COTURN_RELAY_PORTS%-*} ch=${COTURN_RELAY_PORTS#*-}
  (( pl <= ch && ph >= cl )) && echo "warning: both servers relay from $PARKWAY_RELAY with overlapping ports" >&2
fi

TMP=$(mktemp -d)
PW_PID= CT_PID= PEER_PID= GEN_PID=
stop_pid() { [[ -n $1 ]] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null || true; }
cleanup() {
  stop_pid "$GEN_PID"; stop_pid "$PEER_PID"; stop_pid "$PW_PID"; stop_pid "$CT_PID"
  if [[ ${KEEP:-0} == 1 ]]; then echo "logs kept in $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

write_parkway_yaml() { # RELAY_PORTS
  cat > "$TMP/parkway.yaml" <<YAML
realm: parkway.test
turn:
  listen: [ "udp://127.0.0.1:$PARKWAY_PORT", "tcp://127.0.0.1:$PARKWAY_PORT" ]
  relay:
    address: $PARKWAY_RELAY
    ports: $1
  users: { bench: bench }
  rest-secrets: [ "benchsecret" ]
  peers:
    allow: [ 127.0.0.0/8 ]
  allocations-per-user: 100000
  allocations-per-rest-credential: 100000
  max-allocations: 100000
log:
  level: WARN
drain-timeout: 0
metrics:
  listen: "http://127.0.0.1:0"
signaling:
  listen: "http://127.0.0.1:0"
YAML
}

STARTS=0
PW_PORTS=$PARKWAY_RELAY_PORTS CT_PORTS=$COTURN_RELAY_PORTS
start_parkway() { # a fresh Parkway on SERVER_CPU, relay ports PW_PORTS, GC log $TMP/parkway-gc.<start>.log
  STARTS=$((STARTS + 1))
  GC_LOG="$TMP/parkway-gc.$STARTS.log"
  write_parkway_yaml "$PW_PORTS"
  # Parkway reads PARKWAY_* variables as configuration and refuses unknown ones: hide this script's own.
  # shellcheck disable=SC2086
  env -u PARKWAY_PORT -u PARKWAY_RELAY -u PARKWAY_RELAY_PORTS -u PARKWAY_JAVA_OPTS \
    taskset -c "$SERVER_CPU" java $PW_JAVA_OPTS "-Xlog:gc,gc+phases=info:file=$GC_LOG" -jar "$JAR" serve \
    --config "$TMP/parkway.yaml" >> "$TMP/parkway.log" 2>&1 &
  PW_PID=$!
  await_listening "$PARKWAY_PORT" "$PW_PID"
}
start_coturn() {
  taskset -c "$SERVER_CPU" turnserver -n --listening-ip 127.0.0.1 --listening-port "$COTURN_PORT" \
    --relay-ip "$COTURN_RELAY" --min-port "${CT_PORTS%-*}" --max-port "${CT_PORTS#*-}" \
    --lt-cred-mech --user bench:bench --realm parkway.test --allow-loopback-peers --cli-password=x --no-cli \
    --no-tls --no-dtls --log-file stdout >> "$TMP/coturn.log" 2>&1 &
  CT_PID=$!
  await_listening "$COTURN_PORT" "$CT_PID"
}
listening() { ss -Hlnu "sport = :$1" | grep -q . && ss -Hlnt "sport = :$1" | grep -q .; }
await_listening() { # PORT PID
  for _ in $(seq 1 300); do
    listening "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "server $2 died:" >&2; tail -n 20 "$TMP"/*.log >&2; exit 1; }
    sleep 0.1
  done
  echo "server $2 not listening on $1 after 30 s" >&2; tail -n 20 "$TMP"/*.log >&2; exit 1
}
restart() { # SERVER: stop it and start a fresh one (the idle phase measures memory from a fresh process)
  if [[ $1 == parkway ]]; then stop_pid "$PW_PID"; PW_PID=; start_parkway
  else stop_pid "$CT_PID"; CT_PID=; start_coturn; fi
}
start_parkway
start_coturn

rss() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
cpu_us() { awk '{ sub(/^.*\) /, ""); print ($12 + $13) * 10000 }' "/proc/$1/stat"; } # utime+stime, 100 Hz ticks
gc_mark() { if [[ -f $GC_LOG ]]; then wc -l < "$GC_LOG"; else echo 0; fi; }
gc_since() { # LINE: GC pauses logged after line LINE, as key=value (pauses the idle phase's jcmd forced left out)
  [[ -f $GC_LOG ]] || { echo "gc_count=0 gc_max_ms=0 gc_total_ms=0"; return; }
  tail -n +"$(($1 + 1))" "$GC_LOG" | grep -E '\] GC\([0-9]+\) Pause ' \
    | grep -v -e 'System.gc()' -e 'Heap Inspection' -e 'Diagnostic Command' \
    | awk '{ v = $NF; sub(/ms$/, "", v); n++; t += v; if (v + 0 > m) m = v + 0 }
           END { printf "gc_count=%d gc_max_ms=%.3f gc_total_ms=%.3f", n, m, t }'
}
pid_of() { [[ $1 == parkway ]] && echo "$PW_PID" || echo "$CT_PID"; }
port_of() { [[ $1 == parkway ]] && echo "$PARKWAY_PORT" || echo "$COTURN_PORT"; }
alive() { kill -0 "$PW_PID" 2>/dev/null && kill -0 "$CT_PID" 2>/dev/null || {
  echo "a server died:" >&2; tail -n 20 "$TMP/parkway.log" "$TMP/coturn.log" >&2; exit 1; }; }
generator() { # OUTFILE ARGS...: the load generator on LOAD_CPU, in the foreground
  local out=$1; shift
  # shellcheck disable=SC2086
  taskset -c "$LOAD_CPU" java ${LOAD_JAVA_OPTS:-} -cp "$CLASSES:$JAR" io.parkway.bench.LoadGenerator "$@" \
    > "$out" 2>&1 || true
}
RESULTS="$TMP/results"
: > "$RESULTS"
record() { echo "$*" >> "$RESULTS"; }

echo "uptime at start: $(uptime)"
echo "parkway pid $PW_PID, JVM options: ${PW_JAVA_OPTS:-(JVM defaults)} (idle RSS $(rss "$PW_PID") KiB);" \
     "coturn $(turnserver --version 2>/dev/null | head -1) pid $CT_PID (idle RSS $(rss "$CT_PID") KiB)"
echo "relay: Parkway $PARKWAY_RELAY:$PARKWAY_RELAY_PORTS, coturn $COTURN_RELAY:$COTURN_RELAY_PORTS;" \
     "server on CPU $SERVER_CPU, load on CPU $LOAD_CPU; phases $PHASES; $RUNS runs each, alternating"

# Warm-up, not recorded: both servers' set-up and relay paths run once, so that JVM start-up (class loading, JIT,
# the first GCs) is not counted in the first run of any phase.
if (( WARM_SECONDS > 0 )) && { phase load || phase sweep || phase uclient; }; then
  for s in parkway coturn; do
    generator "$TMP/warm.$s.txt" --server "127.0.0.1:$(port_of $s)" -n 64 --pps 100 --warmup 0 \
      --duration "$WARM_SECONDS"
  done
  echo "warm-up: $WARM_SECONDS s of 64 x 100 pps against each server, not recorded"
fi

# ---------------------------------------------------------------------------------------------------------------
if phase load; then
  echo "== load: $N allocations x $PPS pps each way x $SIZE-byte payloads ${EXTRA[*]:-(UDP, channels)}," \
       "${WARMUP}s warm-up + ${DURATION}s measured"
  for i in $(seq 1 "$RUNS"); do
    for s in parkway coturn; do
      alive
      mark=$(gc_mark)
      out="$TMP/load.$s.$i.txt"
      generator "$out" --server "127.0.0.1:$(port_of $s)" --server-pid "$(pid_of $s)" -n "$N" --pps "$PPS" \
        --size "$SIZE" --warmup "$WARMUP" --duration "$DURATION" "${EXTRA[@]}"
      line=$(grep '^RESULT' "$out" || true)
      if [[ -z $line || $line == *mode=failed* ]]; then
        echo "load $s run $i: no result" >&2; cat "$out" >&2; continue
      fi
      gc=$([[ $s == parkway ]] && gc_since "$mark" || true)
      record "load $s ${line#RESULT } $gc"
      echo "run $i $s: $(grep -E '^(offered|received|RTT|server)' "$out" | tr '\n' ' ') $gc"
    done
  done
fi

# ---------------------------------------------------------------------------------------------------------------
if phase sweep; then
  echo "== sweep: $SWEEP_N allocations, pps per allocation $SWEEP_RATES, ${SWEEP_DURATION}s per step," \
       "pass = loss < $MAX_LOSS % and >= 99 % of the rate offered; generator threads $SWEEP_THREADS on CPU $LOAD_CPU"
  for i in $(seq 1 "$RUNS"); do
    for s in parkway coturn; do
      alive
      mark=$(gc_mark)
      out="$TMP/sweep.$s.$i.txt"
      generator "$out" --server "127.0.0.1:$(port_of $s)" --server-pid "$(pid_of $s)" -n "$SWEEP_N" \
        --rates "$SWEEP_RATES" --size "$SIZE" --warmup "$SWEEP_WARMUP" --duration "$SWEEP_DURATION" \
        --max-loss "$MAX_LOSS" --threads "$SWEEP_THREADS" "${EXTRA[@]}"
      line=$(grep '^SWEEP' "$out" || true)
      if [[ -z $line ]]; then echo "sweep $s run $i: no result" >&2; cat "$out" >&2; continue; fi
      gc=$([[ $s == parkway ]] && gc_since "$mark" || true)
      record "sweep $s ${line#SWEEP } $gc"
      grep '^STEP' "$out" | sed "s/^STEP /step $s run=$i /" >> "$RESULTS"
      echo "run $i $s: $(grep '^step' "$out" | sed 's/^step [0-9]*: //' | tr '\n' ';') -> ${line#SWEEP } $gc"
    done
  done
fi

# ---------------------------------------------------------------------------------------------------------------
if phase uclient; then
  read -r -a uc_flags <<< "$UCLIENT_FLAGS"
  [[ " ${EXTRA[*]:-} " == *" --tcp "* ]] && uc_flags+=(-t)
  [[ " ${EXTRA[*]:-} " == *" --send-indications "* ]] && uc_flags+=(-s)
  echo "== uclient: turnutils_uclient ${uc_flags[*]} -m $UCLIENT_M -n $UCLIENT_MESSAGES -z $UCLIENT_INTERVAL" \
       "-l $SIZE through turnutils_peer, both on CPU $LOAD_CPU"
  taskset -c "$LOAD_CPU" turnutils_peer -p "$UCLIENT_PEER_PORT" -L 127.0.0.1 > "$TMP/peer.log" 2>&1 &
  PEER_PID=$!
  sleep 0.5
  for i in $(seq 1 "$RUNS"); do
    for s in parkway coturn; do
      alive
      pid=$(pid_of "$s") mark=$(gc_mark) out="$TMP/uclient.$s.$i.txt"
      c0=$(cpu_us "$pid") t0=$(date +%s.%N)
      timeout $((UCLIENT_MESSAGES * UCLIENT_INTERVAL / 1000 + 120)) taskset -c "$LOAD_CPU" turnutils_uclient \
        "${uc_flags[@]}" -m "$UCLIENT_M" -n "$UCLIENT_MESSAGES" -z "$UCLIENT_INTERVAL" -l "$SIZE" -u bench -w bench \
        -e 127.0.0.1 -r "$UCLIENT_PEER_PORT" -p "$(port_of $s)" 127.0.0.1 > "$out" 2>&1 || true
      t1=$(date +%s.%N)
      sleep 1 # the server finishes what is in flight (as the generator's drain)
      c1=$(cpu_us "$pid")
      gc=$([[ $s == parkway ]] && gc_since "$mark" || true)
      kv=$(python3 "$SCRIPTS/uclient_totals.py" "$out" "$c0" "$c1" "$t0" "$t1") \
        || { echo "uclient $s run $i: no totals" >&2; tail -5 "$out" >&2; continue; }
      record "uclient $s $kv $gc"
      echo "run $i $s: $kv $gc"
    done
  done
fi

# ---------------------------------------------------------------------------------------------------------------
heap_live() { # PID OUTFILE: live heap bytes after the full GC that GC.class_histogram performs
  taskset -c "$LOAD_CPU" jcmd "$1" GC.class_histogram > "$2" 2>&1 || true
  awk '/^Total/ { print $3 }' "$2"
}
idle_run() { # SERVER N TAG: fresh server, warm-up, set up N allocations, hold them; memory before / held / released
  local s=$1 n=$2 tag=$3 pid out hold h0 h1 h2 r0 r1 r2 line
  restart "$s"
  pid=$(pid_of "$s")
  out="$TMP/$tag.$s.txt" hold="$TMP/$tag.$s.hold"
  h0=- h1=- h2=-
  generator "$TMP/$tag.$s.warm.txt" --server "127.0.0.1:$(port_of "$s")" -n 64 --pps 100 --warmup 0 \
    --duration "$WARM_SECONDS"
  [[ $s == parkway ]] && h0=$(heap_live "$pid" "$TMP/$tag.$s.histo0")
  r0=$(rss "$pid")
  touch "$hold"
  : > "$out"
  # shellcheck disable=SC2086
  taskset -c "$LOAD_CPU" java ${LOAD_JAVA_OPTS:-} -cp "$CLASSES:$JAR" io.parkway.bench.LoadGenerator \
    --server "127.0.0.1:$(port_of "$s")" -n "$n" --idle --hold 3600 --hold-file "$hold" \
    --setup-concurrency "$SETUP_CONCURRENCY" --setup-warmup "$SETUP_WARMUP" --size "$SIZE" ${IDLE_OPTS:-} \
    > "$out" 2>&1 &
  GEN_PID=$!
  while ! grep -q '^HOLDING\|^RESULT' "$out" && kill -0 "$GEN_PID" 2>/dev/null; do sleep 0.5; done
  if grep -q '^HOLDING' "$out"; then
    sleep "$IDLE_SETTLE"
    [[ $s == parkway ]] && h1=$(heap_live "$pid" "$TMP/$tag.$s.histo1")
    r1=$(rss "$pid")
  fi
  rm -f "$hold"
  wait "$GEN_PID" || true
  GEN_PID=
  sleep "$IDLE_SETTLE"
  [[ $s == parkway ]] && h2=$(heap_live "$pid" "$TMP/$tag.$s.histo2")
  r2=$(rss "$pid")
  line=$(grep '^RESULT' "$out" || true)
  if [[ -z $line || -z ${r1:-} ]]; then echo "$tag $s: no result" >&2; cat "$out" >&2; return; fi
  record "$tag $s n=$n ${line#RESULT } heap_before=${h0:--} heap_held=${h1:--} heap_released=${h2:--}" \
         "rss_before=$r0 rss_held=$r1 rss_released=$r2"
  echo "$tag $s: $(grep -E '^(allocations|  set-up error|refreshes)' "$out" | tr '\n' ' ')heap bytes" \
       "$h0 -> $h1 -> $h2, RSS KiB $r0 -> $r1 -> $r2"
}
if phase idle; then
  echo "== idle: $IDLE_N allocations held idle (permission + channel each, $SETUP_CONCURRENCY set-ups in flight)," \
       "then $CAPACITY_N once per server; each from a freshly started server after a ${WARM_SECONDS}s warm-up"
  for i in $(seq 1 "$RUNS"); do
    for s in parkway coturn; do alive; idle_run "$s" "$IDLE_N" "idle.$i"; done
  done
  if (( CAPACITY_N > 0 )); then
    # Relay port ranges of CAPACITY_PORTS ports each (16384 = the size of the default range 49152-65535).
    PW_PORTS="${PARKWAY_RELAY_PORTS%-*}-$((${PARKWAY_RELAY_PORTS%-*} + CAPACITY_PORTS - 1))"
    CT_PORTS="${COTURN_RELAY_PORTS%-*}-$((${COTURN_RELAY_PORTS%-*} + CAPACITY_PORTS - 1))"
    echo "capacity: relay ports Parkway $PW_PORTS, coturn $CT_PORTS ($CAPACITY_PORTS each)"
    for s in parkway coturn; do alive; idle_run "$s" "$CAPACITY_N" capacity; done
  fi
fi

echo "uptime at end: $(uptime)"
python3 "$SCRIPTS/report.py" "$RESULTS" --n "$N" --pps "$PPS" --size "$SIZE" "--variant=${EXTRA[*]:-UDP, channels}" \
  --idle-n "$IDLE_N" --capacity-n "$CAPACITY_N" --capacity-ports "$CAPACITY_PORTS" --sweep-n "$SWEEP_N" \
  --max-loss "$MAX_LOSS" \
  --histograms "$TMP" "--uclient=${uc_flags[*]:-} -m $UCLIENT_M -n $UCLIENT_MESSAGES -z $UCLIENT_INTERVAL"
