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
export CREDENTIALS_DIRECTORY=$work/cred GLIA_API_KEY_ID=key-id PLUGCHAT_ACCOUNT_ID=acc IADVIZE_API_KEY=k
"$opsyncd" check-config --config "$example"

# Two mistakes in one file: both are reported, with file:line:column and the key path.
sed -e 's/^  drain_timeout: 10s/  drain_timeout: soon/' -e 's/^    rate_per_second: 5$/    rate_per_secnd: 5/' \
  "$example" >"$work/broken.yaml"
if out=$("$opsyncd" check-config --config "$work/broken.yaml" 2>&1); then
  echo "FAIL: a broken configuration was accepted"; exit 1
fi
grep -q 'broken.yaml:[0-9]*:[0-9]*: shutdown.drain_timeout' <<<"$out" || { echo "FAIL: $out"; exit 1; }
grep -q 'broken.yaml:[0-9]*:[0-9]*: connectors.glia.rate_per_secnd: unknown key' <<<"$out" || { echo "FAIL: $out"; exit 1; }
grep -q '^2 errors$' <<<"$out" || { echo "FAIL: $out"; exit 1; }
echo "check-config: example accepted, broken copy rejected with both errors"
