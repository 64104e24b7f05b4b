#!/usr/bin/env bash
# Micro-benchmarks of the request hot paths in a release build: JSON decode/encode, the pipeline with
# an instant upstream (all guards, with the injection classifier), ledger writes to SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product hotpaths-benchmark > /dev/null 2>&1
.build/release/hotpaths-benchmark datasets/guards/injection/train.jsonl datasets/guards/injection-independent/train.jsonl datasets/guards/injection-extra/*.jsonl
