#!/usr/bin/env bash
# Builds temporal-server and temporal-sql-tool from the Go module proxy at the pinned version, into
# $TASKFLOW_CLUSTER_CACHE/bin-<version>. Does nothing when both binaries are already there.
# The first build takes several minutes on a 2-core machine; later builds reuse the Go build cache.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=env.sh
. "$here/env.sh"

built() { [ -x "$TEMPORAL_SERVER_BIN" ] && [ -x "$TEMPORAL_SQL_TOOL_BIN" ] && [ -d "$TEMPORAL_SERVER_MODULE_DIR/schema" ]; }
if built; then
  log "temporal-server $TEMPORAL_SERVER_VERSION is built: $CLUSTER_BIN_DIR"
  exit 0
fi
# One build at a time on a machine: a second caller waits for the first and then finds the binaries.
mkdir -p "$TASKFLOW_CLUSTER_CACHE"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$TASKFLOW_CLUSTER_CACHE/build.lock"
  flock 9
  if built; then log "temporal-server $TEMPORAL_SERVER_VERSION is built: $CLUSTER_BIN_DIR"; exit 0; fi
fi
command -v go >/dev/null 2>&1 || die "Go is not installed; install Go 1.21 or later (the pinned toolchain is fetched by go itself)."

scratch="$TASKFLOW_CLUSTER_CACHE/build-$TEMPORAL_SERVER_VERSION"
mkdir -p "$scratch" "$CLUSTER_BIN_DIR"
cd "$scratch"
[ -f go.mod ] || go mod init taskflow-cluster-build >/dev/null 2>&1
log "fetching go.temporal.io/server v$TEMPORAL_SERVER_VERSION (toolchain $GOTOOLCHAIN)"
go get "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION" \
  "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION"
nice_cmd=(nice -n "${TASKFLOW_CLUSTER_NICE:-10}")
start=$(date +%s)
log "building temporal-sql-tool"
"${nice_cmd[@]}" go build -o "$TEMPORAL_SQL_TOOL_BIN.tmp" go.temporal.io/server/cmd/tools/sql
mv "$TEMPORAL_SQL_TOOL_BIN.tmp" "$TEMPORAL_SQL_TOOL_BIN"
log "building temporal-server (several minutes on a first build)"
"${nice_cmd[@]}" go build -o "$TEMPORAL_SERVER_BIN.tmp" go.temporal.io/server/cmd/server
mv "$TEMPORAL_SERVER_BIN.tmp" "$TEMPORAL_SERVER_BIN"
log "built in $(( $(date +%s) - start )) s: $CLUSTER_BIN_DIR"
