#!/usr/bin/env bash
# The test run: sets up the machine, builds everything with AddressSanitizer and
# UndefinedBehaviorSanitizer, then runs every test through ctest (unit, integration, simulators,
# systemd unit checks, end-to-end on a real Kafka broker, and a replay of every fuzz target's
# committed corpus and regression inputs). Deterministic: no environment variable changes what
# runs, and random fuzz exploration is a separate command (scripts/fuzz.sh). Ends with ctest's
# counts; exits non-zero if anything fails. Extra arguments go to ctest (e.g. -R config).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan -j "$(nproc)" "$@"
