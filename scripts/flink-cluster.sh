#!/usr/bin/env bash
# A standalone Flink 1.20.1 session cluster on loopback, built from Maven-resolved Flink jars (the
# registry serves no flink-dist): one JobManager and two TaskManagers, each its own JVM.
#
#   scripts/flink-cluster.sh start    # prints REST_URL=http://127.0.0.1:PORT once the cluster is up
#   scripts/flink-cluster.sh status   # REST URL, pids, log directory, application properties file
#   scripts/flink-cluster.sh add-taskmanager   # one more TaskManager (after one was killed, say)
#   scripts/flink-cluster.sh stop
#
# Environment (all optional):
#   FLINK_CLUSTER_DIR        state: conf/, log/, pids, checkpoints (default: target/flink-cluster)
#   FLINK_CLUSTER_LIB        the resolved lib/ (default: ~/.cache/layerwatch/flink-1.20.1/lib)
#   FLINK_TASKMANAGERS       number of TaskManagers (default 2), FLINK_SLOTS slots each (default 2)
#   FLINK_APPLICATION_PROPERTIES  the runtime properties file the job reads, as MSF reads
#                            /etc/flink/application_properties.json (default: $FLINK_CLUSTER_DIR/application_properties.json)
# The JVMs inherit this shell's environment: AWS_* credentials, region and endpoint overrides reach the job.
set -euo pipefail

FLINK_VERSION=1.20.1
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mkdir -p "${FLINK_CLUSTER_DIR:-$root/target/flink-cluster}" && cd "${FLINK_CLUSTER_DIR:-$root/target/flink-cluster}" && pwd)"
lib="${FLINK_CLUSTER_LIB:-$HOME/.cache/layerwatch/flink-$FLINK_VERSION/lib}"
tms="${FLINK_TASKMANAGERS:-2}"
slots="${FLINK_SLOTS:-2}"
props="${FLINK_APPLICATION_PROPERTIES:-$dir/application_properties.json}"

# What Flink's own config.yaml sets in env.java.opts.all for Java 17 (Kryo, closure cleaning, RPC).
java_opts="--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED \
--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED \
--add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED"

die() { echo "flink-cluster.sh: $*" >&2; exit 1; }

# The lib/ a flink-dist would ship, resolved by Maven (offline first, then from the registry).
resolve_lib() {
  [ -f "$lib/.complete-$FLINK_VERSION-scala" ] && return 0
  local build; build="$(dirname "$lib")/resolve"
  mkdir -p "$build" "$lib"
  cat > "$build/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.layerwatch</groupId><artifactId>flink-cluster-lib</artifactId><version>1</version><packaging>pom</packaging>
  <properties><flink.version>$FLINK_VERSION</flink.version><log4j.version>2.24.3</log4j.version></properties>
  <dependencies>
$(for a in flink-clients flink-runtime-web flink-statebackend-rocksdb flink-connector-files flink-connector-base \
    flink-json flink-cep flink-streaming-java; do
    echo "    <dependency><groupId>org.apache.flink</groupId><artifactId>$a</artifactId><version>\${flink.version}</version></dependency>"
  done
  for a in log4j-slf4j-impl log4j-api log4j-core log4j-1.2-api; do
    echo "    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>$a</artifactId><version>\${log4j.version}</version></dependency>"
  done)
    <dependency><groupId>com.amazonaws</groupId><artifactId>aws-kinesisanalytics-runtime</artifactId><version>1.2.0</version></dependency>
    <!-- flink-dist's lib/ holds flink-scala too: with it, Kryo serializers skip a log line each time they start. -->
    <dependency><groupId>org.apache.flink</groupId><artifactId>flink-scala_2.12</artifactId><version>\${flink.version}</version></dependency>
  </dependencies>
</project>
EOF
  local goal=(-B -q -f "$build/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib" -DincludeScope=runtime)
  if ! mvn -o "${goal[@]}" >"$build/mvn.log" 2>&1; then
    mvn "${goal[@]}" >"$build/mvn.log" 2>&1 || { cat "$build/mvn.log" >&2; die "could not resolve the Flink jars (log: $build/mvn.log)"; }
  fi
  touch "$lib/.complete-$FLINK_VERSION-scala"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  die "no free port found"
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_conf() {
  local rpc=$1 rest=$2
  mkdir -p "$dir/conf" "$dir/log" "$dir/plugins" "$dir/msf" "$dir/checkpoints" "$dir/savepoints" "$dir/tmp"
  cat > "$dir/conf/config.yaml" <<EOF
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $rpc
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.process.size: 768m
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.numberOfTaskSlots: $slots
taskmanager.memory.process.size: 1280m
taskmanager.memory.managed.fraction: 0.25
taskmanager.load-balance.mode: SLOTS
parallelism.default: 2
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $rest
web.upload.dir: $dir/tmp
io.tmp.dirs: $dir/tmp
state.backend.type: rocksdb
execution.checkpointing.dir: file://$dir/checkpoints
execution.checkpointing.savepoint-dir: file://$dir/savepoints
execution.checkpointing.interval: 5s
execution.checkpointing.min-pause: 1s
restart-strategy.type: fixed-delay
restart-strategy.fixed-delay.attempts: 1000
restart-strategy.fixed-delay.delay: 2s
heartbeat.interval: 2000
heartbeat.timeout: 8000
classloader.check-leaked-classloader: false
env.java.opts.all: $java_opts
EOF
  cat > "$dir/conf/log4j.properties" <<'EOF'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
logger.akka.name = org.apache.pekko
logger.akka.level = INFO
logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF
appender.main.name = MainAppender
appender.main.type = File
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
EOF
  # MSF's runtime library reads config.properties (first on the classpath) for where the properties file is.
  echo "application_properties_file = $props" > "$dir/msf/config.properties"
  [ -f "$props" ] || echo '[]' > "$props"
}

# Runs BashJavaUtils as flink's own scripts do: JVM memory flags and dynamic properties for a process.
resource_params() {
  local out
  out="$(java $java_opts -cp "$lib/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$dir/conf" \
    2>"$dir/log/bash-java-utils.err" | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')" \
    || die "BashJavaUtils $1 failed (see $dir/log/bash-java-utils.err)"
  echo "$out"
}

launch() { # name main-class jvm-params dynamic-params; runs in $dir, so relative paths the job writes land there
  local name=$1 main=$2 jvm=$3 dyn=$4
  # shellcheck disable=SC2086
  (cd "$dir" || exit 1
   FLINK_PLUGINS_DIR="$dir/plugins" nohup java $jvm $java_opts -XX:+UseG1GC -Dlog.file="$dir/log/$name.log" \
    -Dlog4j.configurationFile="file:$dir/conf/log4j.properties" -Djava.io.tmpdir="$dir/tmp" \
    -cp "$dir/msf:$lib/*" "$main" --configDir "$dir/conf" $dyn >"$dir/log/$name.out" 2>&1 &
   echo $! > "$dir/$name.pid")
}

rest_url() { sed -n 's/^rest.port: //p' "$dir/conf/config.yaml" | sed 's|^|http://127.0.0.1:|'; }

# Waits until the TaskManagers named (taskmanager-N) have registered; fails if one of them or the JobManager exits.
wait_for_cluster() {
  local name
  for _ in $(seq 1 240); do
    local up=0
    for name in jobmanager "$@"; do
      running "$dir/$name.pid" || die "$name exited; log: $dir/log/$name.out"
    done
    for name in "$@"; do
      grep -q "Successful registration at resource manager" "$dir/log/$name.log" 2>/dev/null && up=$((up + 1))
    done
    if [ "$up" -eq "$#" ]; then echo "REST_URL=$(rest_url)"; return 0; fi
    sleep 0.5
  done
  die "cluster not up within 120 s; logs: $dir/log"
}

start() {
  command -v java >/dev/null || die "java (17) is needed"
  command -v curl >/dev/null || die "curl is needed"
  for pid in "$dir"/*.pid; do
    [ -e "$pid" ] || continue
    running "$pid" && die "already running ($pid); run: $0 stop"
    rm -f "$pid"
  done
  resolve_lib
  write_conf "$(free_port)" "$(free_port)"
  rm -f "$dir"/log/*.log "$dir"/log/*.out
  local jm_params tm_params
  jm_params="$(resource_params GET_JM_RESOURCE_PARAMS)"
  launch jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
    "$(echo "$jm_params" | sed -n 1p)" "$(echo "$jm_params" | sed -n 2p)"
  local names=()
  for i in $(seq 1 "$tms"); do
    launch_taskmanager "$i"
    names+=("taskmanager-$i")
  done
  wait_for_cluster "${names[@]}"
}

launch_taskmanager() {
  local tm_params
  tm_params="$(resource_params GET_TM_RESOURCE_PARAMS)"
  launch "taskmanager-$1" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    "$(echo "$tm_params" | sed -n 1p)" "$(echo "$tm_params" | sed -n 2p)"
}

# Starts taskmanager-N+1 (N: TaskManagers started so far, live or not) and waits for its registration.
add_taskmanager() {
  running "$dir/jobmanager.pid" || die "no cluster running in $dir"
  local n
  n=$(find "$dir" -maxdepth 1 -name 'taskmanager-*.pid' | wc -l)
  launch_taskmanager $((n + 1))
  wait_for_cluster "taskmanager-$((n + 1))"
}

stop() {
  local pid p
  for pid in "$dir"/taskmanager-*.pid "$dir"/jobmanager.pid; do
    [ -e "$pid" ] || continue
    p="$(cat "$pid")"
    if kill -0 "$p" 2>/dev/null; then
      kill "$p" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$p" 2>/dev/null || true
    fi
    rm -f "$pid"
  done
}

status() {
  local any=1
  [ -f "$dir/conf/config.yaml" ] && echo "rest: $(rest_url)"
  for pid in "$dir"/*.pid; do
    [ -e "$pid" ] || continue
    if running "$pid"; then echo "$(basename "$pid" .pid): running, pid $(cat "$pid")"; any=0
    else echo "$(basename "$pid" .pid): not running (stale pid $(cat "$pid"))"; fi
  done
  echo "logs: $dir/log"
  echo "application properties: $props"
  return $any
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  add-taskmanager) add_taskmanager ;;
  *) echo "usage: $0 start|stop|status|add-taskmanager" >&2; exit 2 ;;
esac
