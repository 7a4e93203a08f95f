#!/usr/bin/env bash
# The one-command demo: starts the local stack (Kafka + Schema Registry, fetched on first use), runs
# `driftwatch demo` (engine + a service producing events that start drifting after a while; alerts are read back
# from the alert topic and printed as they arrive), then stops the stack if this script started it.
# Extra arguments go to `driftwatch demo` (see: node bin/driftwatch.js demo --help).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=0
if ! bash scripts/stack.sh status >/dev/null 2>&1; then
  bash scripts/stack.sh start
  started=1
fi
cleanup() { if [[ $started == 1 ]]; then bash scripts/stack.sh stop; fi; }
trap cleanup EXIT
node bin/driftwatch.js demo "$@"
