#!/usr/bin/env bash
# Times the admission check (rate limits + budget reservation and settlement) in a release build.
# Only the Governance module is compiled, so this takes well under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product admission-benchmark > /dev/null 2>&1
.build/release/admission-benchmark
