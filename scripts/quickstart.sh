#!/usr/bin/env bash
# Usage: scripts/quickstart.sh [--foreground]
# Installs what is missing, builds, registers the manual's client_create example handler on the
# embedded default state dir, and starts eventmgrd (in the background unless --foreground).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
foreground=0
if [ "${1:-}" = "--foreground" ]; then
  foreground=1
fi

scripts/setup.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DEVENTMGR_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)"

# Binaries and the example handler go where every user can run them.
if [ "$(id -u)" -eq 0 ]; then
  cmake --install build/release --prefix /usr/local >/dev/null
  bin=/usr/local/bin
  libexec=/usr/local/libexec/eventmgr
else
  bin=$top/build/release
  mkdir -p "$bin/bin"
  ln -sf "$top/build/release/cli/eventmgr" "$bin/bin/eventmgr"
  ln -sf "$top/build/release/daemon/eventmgrd" "$bin/bin/eventmgrd"
  bin=$bin/bin
  libexec=${XDG_DATA_HOME:-$HOME/.local/share}/eventmgr/examples
fi
mkdir -p "$libexec"
install -m 0755 scripts/examples/test-handler.sh scripts/examples/post-webhook.sh scripts/examples/mail-event.sh "$libexec/"

eventmgr="$bin/eventmgr"
command="$libexec/test-handler.sh <new_contact_name> <new_login_name>"
if ! "$eventmgr" --json handler list --event client_create | grep -qF "$libexec/test-handler.sh"; then
  id=$("$eventmgr" handler add --event client_create --command "$command" \
    --description "the manual's example: reports new clients (eventmgr log show RUN prints it)")
  echo "registered handler $id: $command"
fi

cat <<EOM

Try it:
  $eventmgr submit client_create new.login_name=jdoe new.contact_name='John Doe' --wait
  $eventmgr log --event client_create
  $eventmgr log show RUN      (RUN: the second column of the log; prints what the handler wrote)
'$eventmgr handler list' shows the handlers.
EOM

if [ "$foreground" -eq 1 ]; then
  echo "Starting eventmgrd in the foreground (Ctrl-C stops it)."
  exec "$bin/eventmgrd"
fi
if "$eventmgr" status >/dev/null 2>&1; then
  echo "eventmgrd is already running."
  exit 0
fi

# As root on a systemd host the daemon runs as a service: it starts at boot, restarts on
# failure, and systemd holds the pipe open so records written while it restarts wait there.
if [ "$(id -u)" -eq 0 ] && [ -d /run/systemd/system ]; then
  install -m 0644 scripts/systemd/eventmgrd.service scripts/systemd/eventmgrd.socket /etc/systemd/system/
  # The web page's unit is installed off: systemctl enable --now eventmgr-web turns it on.
  install -m 0644 scripts/systemd/eventmgr-web.service /etc/systemd/system/
  systemctl daemon-reload
  systemctl enable --now eventmgrd.socket eventmgrd.service
  echo "eventmgrd runs as the systemd service eventmgrd.service (logs: journalctl -u eventmgrd);"
  echo "stop it with: systemctl stop eventmgrd.service eventmgrd.socket; remove it with scripts/uninstall.sh"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  state=${EVENTMGR_STATE_DIR:-/var/lib/eventmgr}
else
  state=${EVENTMGR_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/eventmgr}
fi
mkdir -p "$state"
log=$state/eventmgrd.out
# Appended to, never truncated: a second quickstart keeps the first daemon's lines. The log
# names logins and domains: readable by root and its group only.
(umask 027 && : >>"$log")
printf '%s quickstart: starting %s\n' "$(date '+%F %T')" "$bin/eventmgrd" >>"$log"
nohup "$bin/eventmgrd" >>"$log" 2>&1 &
pid=$!
echo "eventmgrd started (pid $pid) in the background, logging to $log (appended to); stop it with: kill $pid"
if [ "$(id -u)" -eq 0 ]; then
  echo "Without systemd it does not start again after a reboot: start $bin/eventmgrd from your init system"
  echo "(README.md, \"Running it as a service\")."
fi
