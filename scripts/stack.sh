#!/usr/bin/env bash
# The local stack without Docker: a real Apache Kafka broker (KRaft, one combined broker+controller) and a real
# Apicurio Registry serving the Confluent-compatible API, both fetched from Maven Central into .stack/ (git-ignored).
#
#   bash scripts/stack.sh fetch|start|stop|status|reset|logs|kafka-start|kafka-stop
#
#   kafka-start  start only the broker, keeping its data from an earlier run (a fresh broker when there is none)
#   kafka-stop   stop only the broker; its data stays for kafka-start
#
#   With DRIFTWATCH_STACK_DIR, DRIFTWATCH_KAFKA_PORT and DRIFTWATCH_CONTROLLER_PORT set apart, kafka-start and
#   kafka-stop run a second, independent broker (tests that stop a broker must use their own, never the shared one).
#
# Settings (environment):
#   DRIFTWATCH_KAFKA_PORT       broker port on 127.0.0.1           (default 9092)
#   DRIFTWATCH_CONTROLLER_PORT  KRaft controller port              (default 9093)
#   DRIFTWATCH_REGISTRY_PORT    registry port on 127.0.0.1         (default 8081)
#   DRIFTWATCH_KAFKA_VERSION    Apache Kafka version               (default 4.1.1)
#   DRIFTWATCH_APICURIO_VERSION Apicurio Registry version          (default 3.0.9, see README "Local stack")
#   DRIFTWATCH_MAVEN_REPO       Maven repository base URL          (default Maven Central)
#   DRIFTWATCH_STACK_DIR        where jars, data, logs and pids go (default .stack in the repository)
#   DRIFTWATCH_CACHE_DIR        where fetched jars and archives go  (default DRIFTWATCH_STACK_DIR)
#
# Invariants: every process is started by this script, recorded in a pid file, and stopped by that pid only.
# `start` on a running stack reuses it; a stale pid file is removed with a message; a port held by a process that is
# not ours is an error that names the port and the variable to change.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${DRIFTWATCH_STACK_DIR:-$ROOT/.stack}"
CACHE_DIR="${DRIFTWATCH_CACHE_DIR:-$STACK_DIR}"
KAFKA_PORT="${DRIFTWATCH_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${DRIFTWATCH_CONTROLLER_PORT:-9093}"
REGISTRY_PORT="${DRIFTWATCH_REGISTRY_PORT:-8081}"
KAFKA_VERSION="${DRIFTWATCH_KAFKA_VERSION:-4.1.1}"
APICURIO_VERSION="${DRIFTWATCH_APICURIO_VERSION:-3.0.9}"
MAVEN_REPO="${DRIFTWATCH_MAVEN_REPO:-https://repo.maven.apache.org/maven2}"
READY_TIMEOUT="${DRIFTWATCH_STACK_TIMEOUT:-180}"

KAFKA_DIR="$STACK_DIR/kafka"
KAFKA_LIBS="$CACHE_DIR/kafka/libs-$KAFKA_VERSION"
KAFKA_PID="$KAFKA_DIR/broker.pid"
KAFKA_LOG="$KAFKA_DIR/broker.log"
REGISTRY_DIR="$STACK_DIR/apicurio"
REGISTRY_HOME="$CACHE_DIR/apicurio/$APICURIO_VERSION"
REGISTRY_PID="$REGISTRY_DIR/registry.pid"
REGISTRY_LOG="$REGISTRY_DIR/registry.log"
CCOMPAT="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"

say() { echo "stack: $*" >&2; }
die() { echo "stack: error: $*" >&2; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is required ($2)"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

check_java() {
  need java "install a JDK 17 or newer"
  local v
  v="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  [[ "${v%%.*}" -ge 17 ]] || die "Java 17 or newer is required, found $v"
}

fetch_kafka() {
  if [[ -f "$KAFKA_LIBS/.complete" ]]; then return; fi
  need mvn "install Maven to fetch the Kafka jars"
  check_java
  say "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central (once; cached in ${KAFKA_LIBS#"$ROOT"/})"
  rm -rf "$KAFKA_LIBS"
  mvn -q -B -f "$ROOT/scripts/stack/kafka-pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" >&2 ||
    die "Maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (is Maven Central reachable?)"
  touch "$KAFKA_LIBS/.complete"
}

# Apicurio is fetched with curl because the parent POMs of some releases are not on Central, which makes
# `mvn dependency:copy` refuse the artifact although the archive itself is there. The archive is checked against
# the .sha1 that Central publishes beside it.
fetch_registry() {
  if [[ -f "$REGISTRY_HOME/.complete" ]]; then return; fi
  need curl "to fetch the registry archive"
  need sha1sum "to verify the registry archive"
  local name="apicurio-registry-app-$APICURIO_VERSION-all.tar.gz"
  local url="$MAVEN_REPO/io/apicurio/apicurio-registry-app/$APICURIO_VERSION/$name"
  say "fetching Apicurio Registry $APICURIO_VERSION from $MAVEN_REPO (once; cached in ${REGISTRY_HOME#"$ROOT"/})"
  rm -rf "$REGISTRY_HOME" && mkdir -p "$REGISTRY_HOME"
  curl -sSfL --retry 3 -o "$REGISTRY_HOME/$name" "$url" || die "could not download $url"
  local want got
  want="$(curl -sSfL --retry 3 "$url.sha1" | awk '{print $1}')" || die "could not download $url.sha1"
  got="$(sha1sum "$REGISTRY_HOME/$name" | awk '{print $1}')"
  [[ "$want" == "$got" ]] || die "checksum mismatch for $name: expected $want, got $got"
  tar -xzf "$REGISTRY_HOME/$name" -C "$REGISTRY_HOME"
  rm -f "$REGISTRY_HOME/$name"
  touch "$REGISTRY_HOME/.complete"
}

registry_jar() {
  # The launcher moved between release lines: 3.0.x ships a runner jar, 3.1.x quarkus-app/quarkus-run.jar,
  # 3.3.x quarkus-run.jar at the top.
  local c
  for c in "$REGISTRY_HOME/apicurio-registry-app-$APICURIO_VERSION-runner.jar" \
    "$REGISTRY_HOME/quarkus-app/quarkus-run.jar" "$REGISTRY_HOME/quarkus-run.jar"; do
    if [[ -f "$c" ]]; then echo "$c"; return; fi
  done
  die "no launcher jar found in ${REGISTRY_HOME#"$ROOT"/}; remove it and fetch again"
}

# Refuse to start on a port another process holds; reuse when the process on it is ours.
claim_port() {
  local port="$1" var="$2" pidfile="$3" what="$4"
  if port_open "$port"; then
    if pid_alive "$pidfile"; then return 1; fi
    die "port $port is in use by a process that this script did not start; stop it or set $var to another port ($what)"
  fi
  return 0
}

clear_stale() {
  local pidfile="$1" what="$2"
  if [[ -f "$pidfile" ]] && ! pid_alive "$pidfile"; then
    say "removing stale pid file for $what (pid $(cat "$pidfile") is not running)"
    rm -f "$pidfile"
  fi
}

wait_for() {
  local what="$1" pidfile="$2" log="$3"
  shift 3
  local deadline=$((SECONDS + READY_TIMEOUT))
  until "$@"; do
    if ! pid_alive "$pidfile"; then
      say "$what exited during start; last lines of ${log#"$ROOT"/}:"
      tail -n 30 "$log" >&2 || true
      rm -f "$pidfile"
      exit 1
    fi
    if ((SECONDS > deadline)); then
      say "$what not ready after ${READY_TIMEOUT}s; last lines of ${log#"$ROOT"/}:"
      tail -n 30 "$log" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

kafka_ready() { grep -q 'Kafka Server started' "$KAFKA_LOG" 2>/dev/null && port_open "$KAFKA_PORT"; }

# start_kafka [keep]: with "keep", a broker whose log directory was formatted before restarts on its data.
start_kafka() {
  local keep="${1:-}"
  clear_stale "$KAFKA_PID" "the broker"
  if ! claim_port "$KAFKA_PORT" DRIFTWATCH_KAFKA_PORT "$KAFKA_PID" "Kafka broker"; then
    say "Kafka broker already running (pid $(cat "$KAFKA_PID"), 127.0.0.1:$KAFKA_PORT); reusing it"
    return
  fi
  claim_port "$CONTROLLER_PORT" DRIFTWATCH_CONTROLLER_PORT "$KAFKA_PID" "KRaft controller" || true
  if pid_alive "$KAFKA_PID"; then
    say "Kafka broker (pid $(cat "$KAFKA_PID")) is still starting; waiting for it"
    wait_for "Kafka broker" "$KAFKA_PID" "$KAFKA_LOG" kafka_ready
    return
  fi
  fetch_kafka
  check_java
  local data="$KAFKA_DIR/data" props="$KAFKA_DIR/server.properties" format=1
  mkdir -p "$KAFKA_DIR"
  if [[ "$keep" == keep && -f "$data/meta.properties" ]]; then
    format=0
  else
    # A fresh log directory per start: the stack serves tests and demos, which must not see each other's topics.
    rm -rf "$data" "$KAFKA_DIR/logs"
  fi
  cat >"$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data
auto.create.topics.enable=true
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
log.cleaner.dedupe.buffer.size=16777216
EOF
  local cp="$KAFKA_LIBS/*" log4j="-Dlog4j2.configurationFile=$ROOT/scripts/stack/log4j2.properties"
  if ((format)); then
    local cluster_id
    cluster_id="$(java "$log4j" -cp "$cp" kafka.tools.StorageTool random-uuid)"
    java "$log4j" -cp "$cp" kafka.tools.StorageTool format -c "$props" -t "$cluster_id" >/dev/null
    say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
  else
    say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT with the data of its last run"
  fi
  nohup java -Xms512m -Xmx512m "$log4j" -Dkafka.logs.dir="$KAFKA_DIR/logs" -cp "$cp" \
    kafka.Kafka "$props" >"$KAFKA_LOG" 2>&1 </dev/null &
  echo $! >"$KAFKA_PID"
  wait_for "Kafka broker" "$KAFKA_PID" "$KAFKA_LOG" kafka_ready
  say "Kafka ready (pid $(cat "$KAFKA_PID"))"
}

registry_ready() { curl -sf "$CCOMPAT/subjects" >/dev/null 2>&1; }

start_registry() {
  clear_stale "$REGISTRY_PID" "the registry"
  if ! claim_port "$REGISTRY_PORT" DRIFTWATCH_REGISTRY_PORT "$REGISTRY_PID" "Schema Registry"; then
    say "registry already running (pid $(cat "$REGISTRY_PID"), 127.0.0.1:$REGISTRY_PORT); reusing it"
    return
  fi
  if pid_alive "$REGISTRY_PID"; then
    wait_for "registry" "$REGISTRY_PID" "$REGISTRY_LOG" registry_ready
    return
  fi
  fetch_registry
  check_java
  local jar
  jar="$(registry_jar)"
  mkdir -p "$REGISTRY_DIR"
  say "starting Apicurio Registry $APICURIO_VERSION on 127.0.0.1:$REGISTRY_PORT (in-memory storage)"
  # Quarkus binds to 0.0.0.0 in prod mode unless told otherwise; the access log is off because it logs every call.
  nohup java -Xmx512m -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.http.access-log.enabled=false -Dquarkus.log.category.\"io.apicurio\".level=WARN \
    -Dapicurio.rules.global.compatibility=BACKWARD \
    -jar "$jar" >"$REGISTRY_LOG" 2>&1 </dev/null &
  echo $! >"$REGISTRY_PID"
  wait_for "registry" "$REGISTRY_PID" "$REGISTRY_LOG" registry_ready
  # Confluent's default is BACKWARD and Apicurio's NONE; some releases ignore the system property, so the global
  # level is also set through the Confluent API itself, which every release honours.
  curl -sSf -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
    -d '{"compatibility":"BACKWARD"}' "$CCOMPAT/config" >/dev/null ||
    die "could not set the registry's global compatibility to BACKWARD"
  say "registry ready (pid $(cat "$REGISTRY_PID")), Confluent API at $CCOMPAT"
}

stop_one() {
  local pidfile="$1" what="$2"
  if ! [[ -f "$pidfile" ]]; then
    say "$what: not running"
    return
  fi
  local pid
  pid="$(cat "$pidfile")"
  if ! kill -0 "$pid" 2>/dev/null; then
    say "$what: removing stale pid file (pid $pid is not running)"
    rm -f "$pidfile"
    return
  fi
  kill "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$what (pid $pid) did not stop in 30s; killing it"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  say "$what stopped (pid $pid)"
}

status() {
  local rc=0
  if pid_alive "$KAFKA_PID" && kafka_ready; then
    echo "kafka     running  pid $(cat "$KAFKA_PID")  127.0.0.1:$KAFKA_PORT"
  else
    echo "kafka     stopped"
    rc=1
  fi
  if pid_alive "$REGISTRY_PID" && registry_ready; then
    echo "registry  running  pid $(cat "$REGISTRY_PID")  $CCOMPAT"
  else
    echo "registry  stopped"
    rc=1
  fi
  return $rc
}

case "${1:-}" in
fetch)
  fetch_kafka
  fetch_registry
  ;;
start)
  mkdir -p "$STACK_DIR"
  start_kafka
  start_registry
  ;;
stop)
  stop_one "$REGISTRY_PID" "registry"
  stop_one "$KAFKA_PID" "Kafka broker"
  ;;
status) status ;;
reset)
  stop_one "$REGISTRY_PID" "registry"
  stop_one "$KAFKA_PID" "Kafka broker"
  rm -rf "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  ;;
logs) tail -n "${2:-50}" "$KAFKA_LOG" "$REGISTRY_LOG" ;;
kafka-start)
  mkdir -p "$STACK_DIR"
  start_kafka keep
  ;;
kafka-stop) stop_one "$KAFKA_PID" "Kafka broker" ;;
*)
  echo "usage: bash scripts/stack.sh fetch|start|stop|status|reset|logs|kafka-start|kafka-stop" >&2
  exit 2
  ;;
esac
