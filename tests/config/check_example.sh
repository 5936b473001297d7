#!/usr/bin/env bash
# `opsyncd check-config` accepts config/example.yaml once its credentials exist (so the example
# stays true to every connector's schema), and rejects a broken copy with every error listed.
# Usage: check_example.sh OPSYNCD EXAMPLE_YAML
set -euo pipefail
opsyncd=$1 example=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/cred"
for f in glia-api-key-secret plugchat-token commpeak-password; do echo "secret-$f" >"$work/cred/$f"; done
echo idc_abcdefghijklmnopqrstuvwxyz012345 >"$work/cred/identitycall-key"
chmod 600 "$work"/cred/*
export CREDENTIALS_DIRECTORY=$work/cred GLIA_API_KEY_ID=key-id PLUGCHAT_ACCOUNT_ID=acc IADVIZE_API_KEY=k
out=$("$opsyncd" check-config --config "$example" 2>&1)
grep -q 'warning' <<<"$out" && { echo "FAIL: the example draws warnings: $out"; exit 1; }

# A secret file others can read is accepted with a warning naming the key and the mode.
chmod 644 "$work/cred/plugchat-token"
out=$("$opsyncd" check-config --config "$example" 2>&1) || { echo "FAIL: warned file refused: $out"; exit 1; }
grep -q '^warning: .*:[0-9]*:[0-9]*: connectors.plugchat.integrator_token_file: secret file .*plugchat-token is accessible by group or others (mode 0644)' <<<"$out" ||
  { echo "FAIL: no warning for a 0644 secret file: $out"; exit 1; }
grep -q 'OK (1 warning)$' <<<"$out" || { echo "FAIL: $out"; exit 1; }
grep -q 'secret-plugchat-token' <<<"$out" && { echo "FAIL: the secret was printed"; exit 1; }
chmod 600 "$work/cred/plugchat-token"

# Two mistakes in one file: both are reported, with file:line:column and the key path.
sed -e 's/^  drain_timeout: 10s/  drain_timeout: soon/' -e 's/^    rate_per_second: 5$/    rate_per_secnd: 5/' \
  "$example" >"$work/broken.yaml"
if out=$("$opsyncd" check-config --config "$work/broken.yaml" 2>&1); then
  echo "FAIL: a broken configuration was accepted"; exit 1
fi
grep -q 'broken.yaml:[0-9]*:[0-9]*: shutdown.drain_timeout' <<<"$out" || { echo "FAIL: $out"; exit 1; }
grep -q 'broken.yaml:[0-9]*:[0-9]*: connectors.glia.rate_per_secnd: unknown key' <<<"$out" || { echo "FAIL: $out"; exit 1; }
grep -q '^2 errors$' <<<"$out" || { echo "FAIL: $out"; exit 1; }
echo "check-config: example accepted, a 0644 secret file warned about, broken copy rejected with both errors"
