#!/usr/bin/env bash
# Usage: scripts/setup.sh
# Installs every Debian 12 package the build and the tests need. Idempotent: quick when all is there.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libboost1.81-dev libboost-system1.81-dev libboost-filesystem1.81-dev libboost-json1.81-dev
  libsqlite3-dev sqlite3 libyaml-cpp-dev libspdlog-dev doctest-dev libcli11-dev
  clang-14 libclang-rt-14-dev
  procps psmisc curl jq
  dpkg-dev debhelper lintian scdoc man-db
  libnats-dev nats-server python3
  libssl-dev chromium chromium-driver python3-selenium
  prometheus systemd
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
