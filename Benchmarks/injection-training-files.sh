#!/usr/bin/env bash
# Prints, one per line and absolute, the injection training files the demo configuration
# (examples/gatehouse.yaml, guards.injection_training_data) trains on: the one list the gateway's
# demo, `gatehouse scan` and the benchmarks share.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
awk -v base="$ROOT/examples" '
    /^[[:space:]]*injection_training_data:/ { inside = 1; next }
    inside && /^[[:space:]]*#/ { next }
    inside && /^[[:space:]]*- / { sub(/^[[:space:]]*- /, ""); print base "/" $0; next }
    inside { exit }
' "$ROOT/examples/gatehouse.yaml" | while read -r path; do realpath "$path"; done
