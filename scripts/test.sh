#!/usr/bin/env bash
# Runs the whole test suite: Swift tests (unit + end-to-end over loopback) and the official OpenAI
# Python client against the real server. Installs what the tests need; the machine may be bare.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> Python test dependencies (openai, pytest)"
python3 -m pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt

echo "==> promtool (Debian package prometheus) for the metrics lint test"
if ! command -v promtool >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then SUDO="sudo -n"; fi
    # Keep the package's maintainer scripts from starting a Prometheus server.
    POLICY=/usr/sbin/policy-rc.d
    CREATED_POLICY=0
    if [ ! -e "$POLICY" ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null && $SUDO chmod 755 "$POLICY" && CREATED_POLICY=1
    fi
    $SUDO apt-get update -qq >/dev/null
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    if [ "$CREATED_POLICY" = "1" ]; then $SUDO rm -f "$POLICY"; fi
fi
promtool --version | head -1

echo "==> swift build"
swift build --build-tests

# The tests' scratch files (databases, contracts, certificates, trained models) go in one directory
# of their own, removed when the run ends, pass or fail.
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-tests.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
export TMPDIR="$SCRATCH"

echo "==> swift test"
# One test at a time: several tests check deadlines to within 10%, which CPU contention from
# parallel tests on a 2-core machine could blur. The whole suite takes about two and a half minutes.
swift test --skip-build --no-parallel

echo "==> OpenAI Python client against the running gateway"
python3 -m pytest -q tests/python
