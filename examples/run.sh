#!/usr/bin/env bash
# Runs one example program: no JVM flags needed.
#   examples/run.sh <MainClass> [args...]     e.g. examples/run.sh Put /tmp/party-demo
# Build first with: mvn -q -DskipTests package   (demo.sh does it for you)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
main=$1; shift
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$cp" "io.levelparty.examples.$main" "$@"
