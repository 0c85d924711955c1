#!/usr/bin/env bash
# Runs the benchmarks and writes BENCHMARKS.md at the repository root.
#   bench/run.sh quick    every figure, in under 5 minutes on 2 cores
#   bench/run.sh long     the same with more forks, iterations and kills: for release figures
#   bench/run.sh party    LevelParty beside Node's level-party, side by side (bench/node/run.sh);
#                         writes only its own section of BENCHMARKS.md
#   bench/run.sh etcd     the map on etcd beside raw jetcd and Caffeine, on an etcd server it starts
#                         (etcd on PATH); replaces only the etcd section of BENCHMARKS.md
# Extra arguments go to the benchmark JVM.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
profile=${1:-quick}
shift || true
[ "$profile" = party ] && exec "$here/node/run.sh" "$@"

(cd "$root" && mvn -B -q -DskipTests package -pl bench -am)
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
if [ "$profile" = etcd ]; then
    exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" "$@" -cp "$cp" io.levelparty.bench.EtcdReport "$root" "bench/run.sh etcd${*:+ $*}"
fi
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" "$@" -cp "$cp" io.levelparty.bench.Report "$profile" "$root" "bench/run.sh $profile"
