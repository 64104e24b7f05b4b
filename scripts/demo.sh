#!/usr/bin/env bash
# Builds Gatehouse and serves the bundled demo on 127.0.0.1:8080 (local engine, no keys, no network).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product gatehouse
exec .build/debug/gatehouse serve --demo "$@"
