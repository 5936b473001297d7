#!/usr/bin/env bash
# Checks systemd/opsyncd.service with systemd-analyze: `verify` must pass and the offline security
# exposure must be at most the threshold. Usage: check_unit.sh UNIT OPSYNCD_BINARY [THRESHOLD]
set -euo pipefail
unit=$1 binary=$2 threshold=${3:-2.0}
command -v systemd-analyze >/dev/null || { echo "FAIL: systemd-analyze not installed"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Verify needs ExecStart's binary to exist: point it at the one just built.
sed "s|/usr/sbin/opsyncd|$binary|" "$unit" >"$work/opsyncd.service"
systemd-analyze verify "$work/opsyncd.service"
out=$(systemd-analyze security --offline=yes --no-pager "$work/opsyncd.service")
level=$(sed -n 's/.*Overall exposure level for opsyncd.service: \([0-9.]*\).*/\1/p' <<<"$out")
[ -n "$level" ] || { echo "FAIL: no exposure level in systemd-analyze output"; echo "$out"; exit 1; }
echo "exposure level: $level (threshold $threshold)"
awk -v l="$level" -v t="$threshold" 'BEGIN { exit !(l <= t) }' || {
  echo "FAIL: exposure $level is above $threshold"
  grep '✗' <<<"$out" || true
  exit 1
}
