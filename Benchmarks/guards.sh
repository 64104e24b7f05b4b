#!/usr/bin/env bash
# Times the guards (PII, injection, redaction, streaming redactor) on a 4 KB message in a release
# build. Only the Guards and LocalEngine modules are compiled, so this takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product guards-benchmark > /dev/null 2>&1
mapfile -t training < <(Benchmarks/injection-training-files.sh)
.build/release/guards-benchmark "${training[@]}"
