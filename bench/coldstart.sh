#!/usr/bin/env bash
# Cold start, side by side: two checkouts, each built (mvn -q -o package -DskipTests -pl examples -am)
# and each with a leader running; fresh follower JVMs of each, alternating, start, open, put once, exit.
#   bench/coldstart.sh OLD_CHECKOUT NEW_CHECKOUT [repetitions]
# Prints, per repetition and checkout, the open time measured inside the JVM and the whole process's
# wall time, then the medians. The old checkout's JVMs get the flags its README asked for.
set -euo pipefail
old=$1; new=$2; reps=${3:-10}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
old_flags=(--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.util=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED -Dchronicle.announcer.disable=true -Dchronicle.analytics.disable=true)
declare -A cp
for side in old new; do
  root=${!side}
  mkdir -p "$work/$side/classes" "$work/$side/db"
  cp[$side]="$root/impl/target/classes:$root/api/target/classes:$(cat "$root/examples/target/classpath.txt")"
  javac -d "$work/$side/classes" -cp "${cp[$side]}" "$here/coldstart/ColdFollower.java" "$here/coldstart/HoldLeader.java"
  cp[$side]="${cp[$side]}:$work/$side/classes"
done
java "${old_flags[@]}" -cp "${cp[old]}" HoldLeader "$work/old/db" > "$work/old/leader.out" 2>&1 &
java -cp "${cp[new]}" HoldLeader "$work/new/db" > "$work/new/leader.out" 2>&1 &
until grep -q LEADER "$work/old/leader.out" && grep -q LEADER "$work/new/leader.out"; do sleep 0.2; done
for i in $(seq 1 "$reps"); do
  for side in old new; do
    flags=(); [ "$side" = old ] && flags=("${old_flags[@]}")
    start=$(date +%s%N)
    open=$(java "${flags[@]}" -cp "${cp[$side]}" ColdFollower "$work/$side/db" 2>/dev/null | tail -1)
    end=$(date +%s%N)
    echo "$side open_ms=$open whole_ms=$(( (end - start) / 1000000 ))" | tee -a "$work/results"
  done
done
for side in old new; do
  for field in open_ms whole_ms; do
    sed -n "s/^$side .*$field=\([0-9]*\).*/\1/p" "$work/results" | sort -n \
      | awk -v s="$side" -v f="$field" '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; print s, f, "median", m}'
  done
done
