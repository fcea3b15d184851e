#!/usr/bin/env bash
# A self-hosted Temporal cluster on this machine, for trying TaskFlow beyond the dev server: the pinned
# Temporal Server built from the Go module proxy, PostgreSQL for persistence and SQL visibility, the four
# services (frontend, history, matching, worker) as separate processes on free loopback ports, and the
# namespace created. No Docker. Every process is tracked by pid in the state directory.
#
#   cluster.sh build                    build temporal-server and temporal-sql-tool (once per machine)
#   cluster.sh up [--state DIR] [--tls DIR] [--namespace NS]   build if needed, start everything; prints DIR
#   cluster.sh env DIR                  the TEMPORAL_* lines a worker or the CLI needs (source them)
#   cluster.sh kill DIR [service...]    SIGKILL services (default: all four), as a crash would
#   cluster.sh start DIR [service...]   start services that are not running (default: all four)
#   cluster.sh status DIR               which processes run
#   cluster.sh down DIR                 stop every process by pid and remove DIR
#
# --tls DIR: the frontend requires mutual TLS. DIR holds ca.pem (the CA clients and the server trust),
# server.pem/server-key.pem (the frontend's certificate, valid for 127.0.0.1 and localhost) and
# client.pem/client-key.pem (used by the server's own system worker and to create the namespace).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=env.sh
. "$here/env.sh"

SERVICES=(history matching frontend worker)

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# Runs a command as the PostgreSQL owner: PostgreSQL refuses to run as root.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

temporal_cli() {
  local candidate
  for candidate in "${TEMPORAL_CLI:-}" "$here/../../.temporal/bin/temporal" "$(command -v temporal 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  die "The Temporal CLI is needed to create the namespace; run npx taskflow server install first, or set TEMPORAL_CLI."
}

# Free loopback ports below 32768: the server stores membership ports in a PostgreSQL smallint, so the
# usual ephemeral range (above 32767) cannot be used.
free_ports() {
  node -e '
    const net = require("node:net");
    const wanted = Number(process.argv[1]);
    const held = [];
    const tryPort = (port) => new Promise((ok) => {
      const s = net.createServer();
      s.once("error", () => ok(null));
      s.listen(port, "127.0.0.1", () => ok(s));
    });
    (async () => {
      for (let tries = 0; held.length < wanted && tries < 2000; tries++) {
        const s = await tryPort(20000 + Math.floor(Math.random() * 12000));
        if (s) held.push(s);
      }
      if (held.length < wanted) { console.error("no free ports between 20000 and 32000"); process.exit(1); }
      console.log(held.map((s) => s.address().port).join(" "));
      held.forEach((s) => s.close());
    })();' "$1"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() { # port what seconds logfile [pidfile]
  local deadline=$(( $(date +%s) + $3 ))
  until port_open "$1"; do
    if [ -n "${5:-}" ] && ! pid_alive "$5"; then
      [ -n "${4:-}" ] && tail -n 5 "$4" >&2
      die "$2 exited before it listened on 127.0.0.1:$1 (log: ${4:-none})."
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      [ -n "${4:-}" ] && tail -n 20 "$4" >&2
      die "$2 did not listen on 127.0.0.1:$1 within $3 s (log: ${4:-none})."
    fi
    sleep 0.5
  done
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

load_state() {
  STATE="$(cd "${1:?state directory}" && pwd)"
  [ -f "$STATE/ports" ] || die "$STATE is not a cluster state directory (no ports file)."
  # shellcheck disable=SC1091
  . "$STATE/ports"
}

cli_tls_args() {
  if [ -n "${TLS_DIR:-}" ]; then
    echo "--tls-ca-path $TLS_DIR/ca.pem --tls-cert-path $TLS_DIR/client.pem --tls-key-path $TLS_DIR/client-key.pem --tls-server-name localhost"
  fi
}

write_config() {
  local store
  mkdir -p "$STATE/config"
  : > "$STATE/config/dynamicconfig.yaml"
  {
    cat <<YAML
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
YAML
    for store in default:temporal visibility:temporal_visibility; do
      cat <<YAML
    postgres-${store%%:*}:
      sql:
        pluginName: postgres12
        databaseName: ${store#*:}
        connectAddr: "127.0.0.1:$PG_PORT"
        connectProtocol: tcp
        user: temporal
        password: temporal
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
YAML
    done
    cat <<YAML
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
YAML
    if [ -n "${TLS_DIR:-}" ]; then
      cat <<YAML
  tls:
    frontend:
      server:
        certFile: $TLS_DIR/server.pem
        keyFile: $TLS_DIR/server-key.pem
        clientCaFiles: [$TLS_DIR/ca.pem]
        requireClientAuth: true
      client:
        serverName: localhost
        rootCaFiles: [$TLS_DIR/ca.pem]
    systemWorker:
      certFile: $TLS_DIR/client.pem
      keyFile: $TLS_DIR/client-key.pem
      client:
        serverName: localhost
        rootCaFiles: [$TLS_DIR/ca.pem]
YAML
    fi
    cat <<YAML
services:
  frontend:
    rpc: {grpcPort: $FRONTEND_PORT, membershipPort: $FRONTEND_MEMBERSHIP_PORT, httpPort: $FRONTEND_HTTP_PORT, bindOnLocalHost: true}
  history:
    rpc: {grpcPort: $HISTORY_PORT, membershipPort: $HISTORY_MEMBERSHIP_PORT, bindOnLocalHost: true}
  matching:
    rpc: {grpcPort: $MATCHING_PORT, membershipPort: $MATCHING_MEMBERSHIP_PORT, bindOnLocalHost: true}
  worker:
    rpc: {grpcPort: $WORKER_PORT, membershipPort: $WORKER_MEMBERSHIP_PORT, bindOnLocalHost: true}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:$FRONTEND_PORT"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: $STATE/config/dynamicconfig.yaml
  pollInterval: 10s
YAML
  } > "$STATE/config/temporal.yaml"
}

start_postgres() {
  if pid_alive "$STATE/pids/postgres.pid"; then return 0; fi
  local bindir
  bindir="$(find_pg_bindir)" || die "PostgreSQL is not installed; install the Debian package postgresql (apt-get install postgresql)."
  if [ ! -f "$STATE/pg/PG_VERSION" ]; then
    mkdir -p "$STATE/pg" "$STATE/pgsock"
    [ "$(id -u)" = 0 ] && chown postgres "$STATE/pg" "$STATE/pgsock"
    as_pg "$bindir/initdb" -D "$STATE/pg" -U postgres --auth=trust -E UTF8 >"$STATE/logs/initdb.log" 2>&1 ||
      { tail -n 20 "$STATE/logs/initdb.log" >&2; die "initdb failed (log: $STATE/logs/initdb.log)."; }
  fi
  : > "$STATE/logs/postgres.log"
  [ "$(id -u)" = 0 ] && chown postgres "$STATE/logs/postgres.log"
  as_pg "$bindir/pg_ctl" -D "$STATE/pg" -l "$STATE/logs/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $STATE/pgsock -c max_connections=200 -c fsync=off" start >/dev/null ||
    { tail -n 20 "$STATE/logs/postgres.log" >&2; die "PostgreSQL did not start (log: $STATE/logs/postgres.log)."; }
  head -n 1 "$STATE/pg/postmaster.pid" > "$STATE/pids/postgres.pid"
}

setup_schemas() {
  local bindir schema db
  bindir="$(find_pg_bindir)"
  "$bindir/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE temporal WITH LOGIN CREATEDB PASSWORD 'temporal'" >/dev/null
  schema="$TEMPORAL_SERVER_MODULE_DIR/schema/postgresql/v12"
  for db in temporal:temporal temporal_visibility:visibility; do
    SQL_PLUGIN=postgres12 SQL_HOST=127.0.0.1 SQL_PORT="$PG_PORT" SQL_USER=temporal SQL_PASSWORD=temporal \
      bash -c '
        set -e
        "$0" --db "$1" create-database
        "$0" --db "$1" setup-schema -v 0.0
        "$0" --db "$1" update-schema -d "$2/versioned"
      ' "$TEMPORAL_SQL_TOOL_BIN" "${db%%:*}" "$schema/${db#*:}" >>"$STATE/logs/schema.log" 2>&1 ||
      { tail -n 20 "$STATE/logs/schema.log" >&2; die "Setting up the ${db%%:*} schema failed (log: $STATE/logs/schema.log)."; }
  done
}

start_service() {
  local service="$1" port_var
  if pid_alive "$STATE/pids/$service.pid"; then return 0; fi
  # setsid: a service outlives the shell that started it and gets no signal meant for that shell.
  setsid "$TEMPORAL_SERVER_BIN" --config-file "$STATE/config/temporal.yaml" --allow-no-auth start --service "$service" \
    >>"$STATE/logs/$service.log" 2>&1 < /dev/null &
  echo $! > "$STATE/pids/$service.pid"
}

wait_service() {
  local service="$1" port_var
  port_var="$(echo "$service" | tr a-z A-Z)_PORT"
  wait_for_port "${!port_var}" "The $service service" "${TASKFLOW_CLUSTER_START_TIMEOUT:-120}" "$STATE/logs/$service.log" "$STATE/pids/$service.pid"
}

wait_frontend_serving() {
  local cli deadline
  cli="$(temporal_cli)"
  deadline=$(( $(date +%s) + ${TASKFLOW_CLUSTER_START_TIMEOUT:-120} ))
  # shellcheck disable=SC2046
  until "$cli" operator cluster health --address "127.0.0.1:$FRONTEND_PORT" $(cli_tls_args) 2>/dev/null | grep -q SERVING; do
    [ "$(date +%s)" -lt "$deadline" ] || die "The frontend at 127.0.0.1:$FRONTEND_PORT is not serving (log: $STATE/logs/frontend.log)."
    sleep 1
  done
}

cmd_start() {
  load_state "$1"; shift
  local services=("$@") service
  [ ${#services[@]} -gt 0 ] || services=("${SERVICES[@]}")
  mkdir -p "$STATE/pids" "$STATE/logs"
  start_postgres
  # One after the other: services starting together race to write the cluster metadata record.
  for service in "${services[@]}"; do
    start_service "$service"
    wait_service "$service"
  done
  case " ${services[*]} " in *" frontend "*) wait_frontend_serving ;; esac
}

create_namespace() {
  local cli deadline
  cli="$(temporal_cli)"
  deadline=$(( $(date +%s) + ${TASKFLOW_CLUSTER_START_TIMEOUT:-120} ))
  # shellcheck disable=SC2046
  until "$cli" operator namespace create --namespace "$NAMESPACE" --retention 24h \
      --address "127.0.0.1:$FRONTEND_PORT" $(cli_tls_args) >>"$STATE/logs/namespace.log" 2>&1 ||
      grep -q "already" "$STATE/logs/namespace.log"; do
    [ "$(date +%s)" -lt "$deadline" ] || die "Could not create namespace $NAMESPACE (log: $STATE/logs/namespace.log)."
    sleep 1
  done
  # The services learn of a new namespace on their next cache refresh (every 2 s by default); a list
  # through the frontend answering is the sign it is known there.
  # shellcheck disable=SC2046
  until "$cli" workflow count --namespace "$NAMESPACE" --address "127.0.0.1:$FRONTEND_PORT" $(cli_tls_args) >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || die "Namespace $NAMESPACE was created but does not answer (log: $STATE/logs/frontend.log)."
    sleep 1
  done
  sleep 3
}

write_env() {
  {
    echo "export TEMPORAL_ADDRESS=127.0.0.1:$FRONTEND_PORT"
    echo "export TEMPORAL_NAMESPACE=$NAMESPACE"
    if [ -n "${TLS_DIR:-}" ]; then
      echo "export TEMPORAL_TLS_CA=$TLS_DIR/ca.pem"
      echo "export TEMPORAL_TLS_SERVER_NAME=localhost"
      echo "# and TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY: a client certificate the CA signed"
    fi
  } > "$STATE/cluster.env"
}

cmd_up() {
  local state="" tls="" ports
  NAMESPACE=default
  while [ $# -gt 0 ]; do
    case "$1" in
      --state) state="$2"; shift 2 ;;
      --tls) tls="$(cd "$2" && pwd)"; shift 2 ;;
      --namespace) NAMESPACE="$2"; shift 2 ;;
      *) usage ;;
    esac
  done
  if [ -n "$tls" ]; then
    for f in ca.pem server.pem server-key.pem client.pem client-key.pem; do
      [ -f "$tls/$f" ] || die "--tls $tls has no $f; see the top of $0 for the files it needs."
    done
  fi
  "$here/build.sh"
  [ -n "$state" ] || state="$(mktemp -d "${TMPDIR:-/tmp}/taskflow-cluster.XXXXXX")"
  mkdir -p "$state/logs" "$state/pids"
  # PostgreSQL (running as its own user) must reach its data directory inside.
  chmod 755 "$state" "$state/logs"
  STATE="$(cd "$state" && pwd)"
  ports_line="$(free_ports 10)" || die "Could not find free loopback ports."
  read -r -a ports <<<"$ports_line"
  cat > "$STATE/ports" <<PORTS
PG_PORT=${ports[0]}
FRONTEND_PORT=${ports[1]}
FRONTEND_MEMBERSHIP_PORT=${ports[2]}
FRONTEND_HTTP_PORT=${ports[3]}
HISTORY_PORT=${ports[4]}
HISTORY_MEMBERSHIP_PORT=${ports[5]}
MATCHING_PORT=${ports[6]}
MATCHING_MEMBERSHIP_PORT=${ports[7]}
WORKER_PORT=${ports[8]}
WORKER_MEMBERSHIP_PORT=${ports[9]}
NAMESPACE=$NAMESPACE
TLS_DIR=$tls
PORTS
  # shellcheck disable=SC1091
  . "$STATE/ports"
  # Anything failing from here on leaves nothing running (the logs stay for a look).
  trap 'stop_all "$STATE"; log "failed; logs in $STATE/logs"' EXIT
  log "PostgreSQL on 127.0.0.1:$PG_PORT"
  start_postgres
  setup_schemas
  write_config
  log "Temporal Server $TEMPORAL_SERVER_VERSION: frontend on 127.0.0.1:$FRONTEND_PORT"
  cmd_start "$STATE"
  create_namespace
  write_env
  trap - EXIT
  log "up; state in $STATE (source $STATE/cluster.env; stop with $0 down $STATE)"
  echo "$STATE"
}

stop_pid() { # pidfile signal
  local pid
  [ -f "$1" ] || return 0
  pid="$(cat "$1")"
  kill "-$2" "$pid" 2>/dev/null || true
  rm -f "$1"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_kill() {
  load_state "$1"; shift
  local services=("$@") service
  [ ${#services[@]} -gt 0 ] || services=("${SERVICES[@]}")
  for service in "${services[@]}"; do stop_pid "$STATE/pids/$service.pid" KILL; done
}

cmd_status() {
  load_state "$1"
  local name
  for name in postgres "${SERVICES[@]}"; do
    if pid_alive "$STATE/pids/$name.pid"; then echo "$name running (pid $(cat "$STATE/pids/$name.pid"))"; else echo "$name stopped"; fi
  done
}

stop_all() {
  local state="$1" name
  for name in worker frontend matching history; do stop_pid "$state/pids/$name.pid" TERM; done
  # SIGQUIT is PostgreSQL's immediate shutdown; the data directory is thrown away anyway.
  stop_pid "$state/pids/postgres.pid" QUIT
}

cmd_down() {
  [ -f "${1:?state directory}/ports" ] || die "$1 is not a cluster state directory (no ports file)."
  local state
  state="$(cd "$1" && pwd)"
  stop_all "$state"
  rm -rf "$state"
  log "down"
}

# Sourced (for a look at one step), it only defines the functions.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  start) shift; cmd_start "$@" ;;
  kill) shift; cmd_kill "$@" ;;
  status) shift; cmd_status "$@" ;;
  env) shift; load_state "$1"; cat "$STATE/cluster.env" ;;
  down) shift; cmd_down "$@" ;;
  build) "$here/build.sh" ;;
  *) usage ;;
esac
