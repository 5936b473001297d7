#!/usr/bin/env bash
# Sets up the machine, builds everything with AddressSanitizer and UndefinedBehaviorSanitizer,
# runs each libFuzzer target briefly, then every test (unit, integration, simulators, systemd
# unit checks, end-to-end on a real Kafka broker). Ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset asan >/dev/null
cmake --build --preset asan
./scripts/fuzz.sh 10
ctest --preset asan -j "$(nproc)" "$@"
