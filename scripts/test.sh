#!/usr/bin/env bash
# Runs the whole test suite: Swift tests (unit + end-to-end over loopback) and the official OpenAI
# Python client against the real server. Installs what the tests need; the machine may be bare.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> Python test dependencies (openai, pytest)"
python3 -m pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt

echo "==> swift build"
swift build --build-tests

echo "==> swift test"
# One test at a time: several tests check deadlines to within 10%, which CPU contention from
# parallel tests on a 2-core machine could blur. The whole suite still takes about 15 s.
swift test --skip-build --no-parallel

echo "==> OpenAI Python client against the running gateway"
python3 -m pytest -q tests/python
