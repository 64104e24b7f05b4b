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
swift test --skip-build

echo "==> OpenAI Python client against the running gateway"
python3 -m pytest -q tests/python
