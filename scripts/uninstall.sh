#!/usr/bin/env bash
# Usage: scripts/uninstall.sh [--purge]
# Undoes scripts/quickstart.sh: stops eventmgrd (the systemd units or the background daemon),
# removes the units, the binaries, the docs, man pages, completion and the example handlers it
# installed. The state dir (database, handlers, run history) stays unless --purge is given.
set -euo pipefail

purge=0
case "${1:-}" in
  --purge) purge=1 ;;
  "") ;;
  *) echo "usage: scripts/uninstall.sh [--purge]" >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -eq 0 ]; then
  bin=/usr/local/bin
  libexec=/usr/local/libexec/eventmgr
  state=${EVENTMGR_STATE_DIR:-/var/lib/eventmgr}
else
  bin=$top/build/release/bin
  libexec=${XDG_DATA_HOME:-$HOME/.local/share}/eventmgr/examples
  state=${EVENTMGR_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/eventmgr}
fi

if [ "$(id -u)" -eq 0 ] && [ -e /etc/systemd/system/eventmgrd.service ]; then
  if [ -d /run/systemd/system ]; then
    systemctl disable --now eventmgr-web.service eventmgrd.service eventmgrd.socket || true
  fi
  rm -f /etc/systemd/system/eventmgrd.service /etc/systemd/system/eventmgrd.socket /etc/systemd/system/eventmgr-web.service
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
  fi
  echo "removed the systemd units"
fi

# A daemon the quickstart started in the background: its pid is in the state dir's lock.
if [ -x "$bin/eventmgr" ] && pid=$("$bin/eventmgr" --state-dir "$state" --json status 2>/dev/null |
  sed -n 's/.*"pid":\([0-9][0-9]*\).*/\1/p') && [ -n "$pid" ]; then
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 400); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "stopped eventmgrd (pid $pid)"
fi

if [ "$(id -u)" -eq 0 ]; then
  rm -f "$bin/eventmgr" "$bin/eventmgrd" "$bin/eventmgr-web"
  rm -rf /usr/local/share/doc/eventmgr
  rm -f /usr/local/share/man/man1/eventmgr.1 /usr/local/share/man/man8/eventmgrd.8 \
    /usr/local/share/man/man5/eventmgr.yaml.5 /usr/local/share/bash-completion/completions/eventmgr \
    /usr/local/share/zsh/vendor-completions/_eventmgr
else
  rm -rf "$bin"
fi
rm -rf "$libexec"
echo "removed the binaries, man pages, completion and the example handlers"

if [ "$purge" -eq 1 ]; then
  rm -rf "$state"
  echo "removed the state dir $state (database, handlers, run history)"
else
  echo "kept the state dir $state (database, handlers, run history); --purge removes it"
fi
