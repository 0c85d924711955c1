#!/usr/bin/env bash
# Runs one example program with the JVM flags LevelParty needs.
#   examples/run.sh <MainClass> [args...]     e.g. examples/run.sh Put /tmp/party-demo
# Build first with: mvn -q -DskipTests package   (demo.sh does it for you)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
main=$1; shift
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"

# Chronicle Wire reaches into JDK internals on Java 17+.
flags=(
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.util=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --enable-native-access=ALL-UNNAMED
  -Dchronicle.announcer.disable=true -Dchronicle.analytics.disable=true
)
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
version=$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
if [ "${version%%.*}" -ge 23 ]; then
  flags+=(--sun-misc-unsafe-memory-access=allow)
fi
exec "$java_bin" "${flags[@]}" -cp "$cp" "io.levelparty.examples.$main" "$@"
