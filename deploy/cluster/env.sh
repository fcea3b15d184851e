# Shared settings for the cluster recipe. Sourced by the other scripts; override any of them in the environment.
# shellcheck shell=bash

# The pinned Temporal Server release, and the Go toolchain it needs (the go command fetches that toolchain
# through the module proxy; the machine's own Go may be older).
TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-1.32.2}"
export GOTOOLCHAIN="${TASKFLOW_CLUSTER_GOTOOLCHAIN:-go1.27.3}"

# Everything built lives under one stable directory so the Go build cache survives between runs.
TASKFLOW_CLUSTER_CACHE="${TASKFLOW_CLUSTER_CACHE:-$HOME/.cache/taskflow-cluster}"
export GOPATH="$TASKFLOW_CLUSTER_CACHE/gopath"
export GOCACHE="$TASKFLOW_CLUSTER_CACHE/gocache"
export GOMODCACHE="$GOPATH/pkg/mod"
export GOFLAGS="${GOFLAGS:--p=1}"
CLUSTER_BIN_DIR="$TASKFLOW_CLUSTER_CACHE/bin-$TEMPORAL_SERVER_VERSION"
TEMPORAL_SERVER_BIN="$CLUSTER_BIN_DIR/temporal-server"
TEMPORAL_SQL_TOOL_BIN="$CLUSTER_BIN_DIR/temporal-sql-tool"
# The server module (schemas and sample configs come from its zip in the module cache).
TEMPORAL_SERVER_MODULE_DIR="$GOMODCACHE/go.temporal.io/server@v$TEMPORAL_SERVER_VERSION"

# PostgreSQL binaries (Debian package `postgresql`).
find_pg_bindir() {
  local d
  if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return 0; fi
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] %s\n' "$*" >&2; exit 1; }
