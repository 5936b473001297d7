#!/usr/bin/env bash
# Fetches a real Apache Kafka broker's jars from Maven Central into a cache directory (once).
# Usage: fetch.sh [CACHE_DIR]   (default: ${XDG_CACHE_HOME:-$HOME/.cache}/opsync/kafka)
# Prints the directory holding the jars.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/opsync/kafka}
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")
dir="$cache/$version"
mkdir -p "$cache"
# Tests run in parallel: one fetch at a time, the others wait for it and reuse its jars.
exec 9>"$cache/.lock"
flock 9
if [ ! -f "$dir/.complete" ]; then
  command -v mvn >/dev/null || { echo "fetch.sh: mvn not found (install maven)" >&2; exit 1; }
  command -v java >/dev/null || { echo "fetch.sh: java not found (install a JDK 17)" >&2; exit 1; }
  mkdir -p "$dir"
  # Maven's output goes to a log, shown only on failure: even with -B -q it ends with ANSI resets
  # and no newline, which glued themselves to the next line a caller reads (broker.sh's address).
  log="$cache/fetch-$version.log"
  if ! mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$dir" -DincludeScope=runtime >"$log" 2>&1; then
    cat "$log" >&2
    echo "fetch.sh: mvn failed (log: $log)" >&2
    exit 1
  fi
  ls "$dir"/kafka_2.13-*.jar >/dev/null
  touch "$dir/.complete"
fi
echo "$dir"
