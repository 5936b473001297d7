#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft, combined broker and controller) on 127.0.0.1 for the
# end-to-end tests. Jars come from Maven Central through fetch.sh.
#
#   broker.sh start WORKDIR    format storage (first time), start, wait until ready; prints the
#                              bootstrap address. Ports are chosen free once and kept in WORKDIR.
#   broker.sh stop WORKDIR     stop (SIGTERM, then SIGKILL after 20 s)
#   broker.sh kill WORKDIR     stop at once (SIGKILL)
#
# OPSYNC_KAFKA_EXTRA_PROPERTIES (optional): lines appended to server.properties when WORKDIR is
# first set up; a later line overrides an earlier one (bench/compare_bench uses it to turn off
# the per-message flush below, as a production broker runs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?usage: broker.sh start|stop|kill WORKDIR}
work=${2:?usage: broker.sh start|stop|kill WORKDIR}
mkdir -p "$work"
work=$(cd "$work" && pwd)

fail() { echo "broker.sh: $*" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

stop() {
  local sig=$1
  [ -f "$work/pid" ] || return 0
  local pid; pid=$(cat "$work/pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$work/pid"
}

case "$cmd" in
  stop) stop TERM; exit 0 ;;
  kill) stop KILL; exit 0 ;;
  start) ;;
  *) fail "unknown command $cmd" ;;
esac

jars=$("$here/fetch.sh") || fail "cannot fetch the Kafka jars from Maven Central (see above)"
command -v java >/dev/null || fail "java not found"
command -v kcat >/dev/null || fail "kcat not found (scripts/setup.sh installs it)"

if [ ! -f "$work/server.properties" ]; then
  bport=$(free_port); cport=$(free_port)
  cat >"$work/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$bport,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$bport
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$work/data
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.flush.interval.messages=1
PROPS
  if [ -n "${OPSYNC_KAFKA_EXTRA_PROPERTIES:-}" ]; then
    printf '%s\n' "$OPSYNC_KAFKA_EXTRA_PROPERTIES" >>"$work/server.properties"
  fi
  cat >"$work/log4j2.properties" <<'LOG'
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.out.ref = out
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
LOG
  cluster_id=$(java -cp "$jars/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
  java -cp "$jars/*" -Dlog4j2.configurationFile="$work/log4j2.properties" kafka.tools.StorageTool \
    format -t "$cluster_id" -c "$work/server.properties" >"$work/format.log" 2>&1 ||
    { cat "$work/format.log" >&2; fail "kafka storage format failed"; }
fi
bport=$(sed -n 's/^advertised.listeners=PLAINTEXT:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$work/server.properties")

stop KILL
nohup java -Xms128m -Xmx512m -XX:+UseSerialGC -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$work/log4j2.properties" \
  -cp "$jars/*" kafka.Kafka "$work/server.properties" >>"$work/broker.log" 2>&1 &
echo $! >"$work/pid"

for _ in $(seq 1 600); do
  if ! kill -0 "$(cat "$work/pid")" 2>/dev/null; then
    tail -30 "$work/broker.log" >&2
    fail "the Kafka broker exited during start-up (log: $work/broker.log)"
  fi
  if kcat -b "127.0.0.1:$bport" -L -m 2 >/dev/null 2>&1; then
    echo "127.0.0.1:$bport"
    exit 0
  fi
  sleep 0.2
done
tail -30 "$work/broker.log" >&2
stop KILL
fail "the Kafka broker did not become ready within 120 s (log: $work/broker.log)"
