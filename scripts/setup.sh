#!/usr/bin/env bash
# Installs every build and test dependency of opsync from Debian's packages.
# Idempotent: when everything is present it returns in about a second.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-system1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  librdkafka-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libsqlite3-dev sqlite3
  libssl-dev libsystemd-dev systemd
  libgtest-dev libgmock-dev
  kcat python3 python3-confluent-kafka python3-requests curl procps clang-format clang libclang-rt-14-dev
  maven openjdk-17-jdk-headless
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all packages present"
fi
