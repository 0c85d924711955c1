#!/usr/bin/env bash
# The seed's story: four putters and a getter share one LevelDB directory, started one after
# another, with a watcher that prints every change; whichever starts first leads, the rest follow,
# and any of them may be stopped or killed. Stops everything on Ctrl-C, or after the optional number of seconds.
#   examples/demo.sh [seconds] [dir]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-}
dir=${2:-$(mktemp -d /tmp/levelparty-demo.XXXXXX)}

if [ ! -f "$here/target/classpath.txt" ]; then
  echo "Building (first run only)..."
  (cd "$here/.." && mvn -B -q -DskipTests package -pl examples -am)
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "demo stopped; data in $dir"
}
trap stop INT TERM EXIT

start() { # name, program
  "$here/run.sh" "$2" "$dir" > >(sed -u "s/^/[$1] /") 2>&1 &
  pids+=($!)
  sleep 0.3
}

echo "data directory: $dir"
start put1 Put
start put2 Put
start get Get
start put3 Put
start watch Watch
start put4 Put

if [ -n "$seconds" ]; then
  sleep "$seconds"
else
  wait
fi
