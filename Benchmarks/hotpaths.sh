#!/usr/bin/env bash
# Micro-benchmarks of the request hot paths in a release build: JSON decode/encode, the pipeline with
# an instant upstream (all guards, with the injection classifier), ledger writes to SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product hotpaths-benchmark > /dev/null 2>&1
mapfile -t training < <(Benchmarks/injection-training-files.sh)
.build/release/hotpaths-benchmark "${training[@]}"
