#!/usr/bin/env bash
# The party mode of bench/run.sh: LevelParty beside Node's level-party 5.1.1, every scenario of
# both in one run, alternating (about 15 minutes on 2 cores); replaces the section "LevelParty
# beside level-party" of BENCHMARKS.md. Installs level-party into bench/node/node_modules with
# npm ci; without node or npm, or if that fails, says so and runs LevelParty's side alone.
# Extra arguments go to the benchmark JVM.
set -euo pipefail
node_dir=$(cd "$(dirname "$0")" && pwd)
here=$(cd "$node_dir/.." && pwd)
root=$(cd "$here/.." && pwd)

(cd "$root" && mvn -B -q -DskipTests package -pl bench -am)
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
# The cold-start follower is bench/coldstart's, the program bench/coldstart.sh runs.
mkdir -p "$here/target/coldstart"
"${JAVA_HOME:+$JAVA_HOME/bin/}javac" -d "$here/target/coldstart" -cp "$cp" "$here/coldstart/ColdFollower.java"
cp="$cp:$here/target/coldstart"

node_version=-
why=
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  why="node or npm is not installed"
elif ! (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >&2); then
  why="npm ci failed in bench/node"
else
  node_version=$(node --version)
fi
[ -n "$why" ] && echo "level-party's side is skipped: $why" >&2
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" "$@" -cp "$cp" io.levelparty.bench.SideBySide "$root" "bench/run.sh party" \
  "$node_version" "$why"
