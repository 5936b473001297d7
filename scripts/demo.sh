#!/usr/bin/env bash
# Sets up the machine, builds opsyncd (release) and runs the self-contained demo.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target opsyncd
exec ./build/release/daemon/app/opsyncd demo "$@"
