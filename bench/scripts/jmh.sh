#!/usr/bin/env bash
# JMH microbenchmarks of the STUN codec, MESSAGE-INTEGRITY and the relay fast path (io.parkway.bench.jmh), with the
# GC profiler so each row also shows bytes allocated per operation (gc.alloc.rate.norm).
#
#   bench/scripts/jmh.sh                      # build bench/target/benchmarks.jar if missing, run everything
#   bench/scripts/jmh.sh Relay                # only benchmarks matching a regex
#   BUILD=1 bench/scripts/jmh.sh              # rebuild the jar first (offline; MVN_OFFLINE= BUILD=1 ... to go online)
#   bench/scripts/jmh.sh -f 3 -i 10 Codec     # any JMH option overrides the short defaults below
#
# Defaults are short, for a noisy 2-core machine: 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement (~5 min for all 27
# benchmarks; -wi 2 -i 3 for ~3 min). Results are also written to bench/target/jmh-result.csv. Read bytes per
# operation from the gc.alloc.rate.norm rows: they are deterministic; ns/op on a shared machine is not.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$root/bench/target/benchmarks.jar"
if [[ "${BUILD:-0}" == 1 || ! -f "$jar" ]]; then
  (cd "$root" && mvn -q -B ${MVN_OFFLINE--o} install -DskipTests -pl bench -am)
fi
# Run a private copy: a rebuild of bench/ during the run would otherwise swap classes under the forked JVMs.
copy="$(mktemp --suffix=.jar)"
trap 'rm -f "$copy"' EXIT
cp "$jar" "$copy"
# Short defaults, each dropped when the caller gives the same option (JMH rejects repeated options).
defaults=(-f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc -rf csv -rff "$root/bench/target/jmh-result.csv")
args=()
for ((k = 0; k < ${#defaults[@]}; k += 2)); do
  given=0
  for a in "$@"; do [[ "$a" == "${defaults[k]}" ]] && given=1; done
  ((given)) || args+=("${defaults[k]}" "${defaults[k + 1]}")
done
java -jar "$copy" "${args[@]}" "$@"
