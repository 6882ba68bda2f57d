#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: tests/package/test_installed_package.sh PATH/eventmgr_VERSION_ARCH.deb
# Installs the package on this machine (root), checks what it put where (the web page's unit
# installed but off), runs the installed eventmgr --version and eventmgr check, starts the
# installed eventmgrd on the packaged config (by hand when systemd does not run), submits an
# event and waits for its handler's run, lists its handler through Plesk's event_handler in
# `eventmgr compat path`, then removes the package (the state dir and the conffile stay), installs it again (the handler is
# still there), purges it and checks that nothing of it is left. The EXIT trap stops the daemon
# and purges the package whatever failed, so a failure leaves the machine as it was.
# Refuses to run where eventmgr is installed or its state dir exists: the purge would remove it.
set -euo pipefail

deb=$(realpath "${1:?usage: $0 PATH/eventmgr_VERSION_ARCH.deb}")
version=$(dpkg-deb -f "$deb" Version)
state=/var/lib/eventmgr
daemon_pid=
group_existed=0
log=$(mktemp /tmp/eventmgr-package-test.XXXXXX)

fail() {
  echo "FAIL: package test: $*" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail "run as root: it installs the package"
if dpkg-query -W -f='${Status}' eventmgr 2>/dev/null | grep -qv 'not-installed'; then
  fail "the package eventmgr is installed here ($(dpkg-query -W -f='${Status}' eventmgr)); the test would purge it. Remove it first (dpkg --purge eventmgr)"
fi
for path in "$state" /etc/eventmgr /usr/local/bin/eventmgrd; do
  if [ -e "$path" ]; then
    fail "$path exists (an install by scripts/quickstart.sh?); the test would remove it: run scripts/uninstall.sh --purge first, or skip this stage"
  fi
done
if getent group eventmgr >/dev/null; then
  group_existed=1
fi

cleanup() {
  local rc=$?
  set +e
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid"
    for _ in $(seq 1 600); do
      kill -0 "$daemon_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$daemon_pid" 2>/dev/null
  fi
  if dpkg-query -W -f='${Status}' eventmgr 2>/dev/null | grep -qv 'not-installed'; then
    dpkg --purge eventmgr >>"$log" 2>&1 || echo "cleanup: dpkg --purge eventmgr failed (log: $log)" >&2
  fi
  rm -rf "$state" /etc/eventmgr
  if [ "$group_existed" -eq 0 ] && getent group eventmgr >/dev/null; then
    delgroup --quiet --system eventmgr >/dev/null 2>&1 || groupdel eventmgr
  fi
  if [ "$rc" -ne 0 ]; then
    echo "--- $log:" >&2
    tail -n 40 "$log" >&2
  fi
  rm -f "$log" "$log.daemon" "$log.list"
  exit "$rc"
}
trap cleanup EXIT

# mode_of PATH: "MODE USER:GROUP".
mode_of() {
  stat -c '%a %U:%G' "$1"
}

# wait_for COND: until the shell condition holds, at most 60 s.
wait_for() {
  local deadline=$((SECONDS + 60))
  until eval "$1"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for: $1"
    sleep 0.1
  done
}

# start_daemon: the installed daemon on the packaged config, by hand (this machine runs no
# systemd, or the test must not touch the service manager's state).
# Ready is its "ready" line: `eventmgr status` says running as soon as it holds the lock,
# before it has migrated the database and opened the pipe.
start_daemon() {
  local daemon_log=$log.daemon
  : >"$daemon_log"
  /usr/sbin/eventmgrd </dev/null >>"$daemon_log" 2>&1 &
  daemon_pid=$!
  wait_for 'grep -qw ready "$daemon_log" || ! kill -0 $daemon_pid 2>/dev/null'
  cat "$daemon_log" >>"$log"
  kill -0 "$daemon_pid" 2>/dev/null || fail "the installed eventmgrd exited at start (log above)"
}

stop_daemon() {
  kill -TERM "$daemon_pid"
  wait_for '! kill -0 $daemon_pid 2>/dev/null'
  wait "$daemon_pid" || fail "eventmgrd exited with status $? after SIGTERM"
  daemon_pid=
}

echo "== dpkg -i $(basename "$deb")"
dpkg -i "$deb" >>"$log" 2>&1 || fail "dpkg -i failed"

# What went where, with which modes.
compat=/usr/libexec/eventmgr/plesk
for file in /usr/bin/eventmgr /usr/sbin/eventmgrd /usr/sbin/eventmgr-web "$compat/event_handler" "$compat/plesk"; do
  [ "$(mode_of "$file")" = "755 root:root" ] || fail "$file: $(mode_of "$file")"
done
getent group eventmgr >/dev/null || fail "no group eventmgr"
[ "$(mode_of "$state")" = "750 root:eventmgr" ] || fail "$state: $(mode_of "$state"), want 750 root:eventmgr"
[ "$(mode_of "$state/pickup")" = "1730 root:eventmgr" ] || fail "$state/pickup: $(mode_of "$state/pickup")"
dpkg-query -W -f='${Conffiles}\n' eventmgr | grep -q '^ /etc/eventmgr/eventmgr.yaml ' ||
  fail "/etc/eventmgr/eventmgr.yaml is not a conffile"
grep -q '^pipe_group: eventmgr$' /etc/eventmgr/eventmgr.yaml || fail "the config does not set pipe_group: eventmgr"
for file in /usr/share/man/man1/eventmgr.1.gz /usr/share/man/man8/eventmgrd.8.gz \
  /usr/share/man/man5/eventmgr.yaml.5.gz /usr/share/bash-completion/completions/eventmgr \
  /usr/share/zsh/vendor-completions/_eventmgr /usr/share/doc/eventmgr/copyright \
  /usr/share/doc/eventmgr/examples/test-handler.sh /lib/systemd/system/eventmgrd.service \
  /lib/systemd/system/eventmgrd.socket /lib/systemd/system/eventmgr-web.service \
  /usr/share/man/man1/event_handler.1.gz /usr/share/man/man8/eventmgr-web.8.gz \
  /usr/share/bash-completion/completions/event_handler; do
  [ -e "$file" ] || fail "$file is missing"
done
grep -qx 'ExecStart=/usr/sbin/eventmgrd' /lib/systemd/system/eventmgrd.service || fail "the service does not start /usr/sbin/eventmgrd"
grep -qx 'SocketGroup=eventmgr' /lib/systemd/system/eventmgrd.socket || fail "the socket's group is not eventmgr"
# Enabled the Debian way (deb-systemd-helper makes the links also when systemd does not run).
[ -L /etc/systemd/system/multi-user.target.wants/eventmgrd.service ] || fail "eventmgrd.service is not enabled"
[ -L /etc/systemd/system/sockets.target.wants/eventmgrd.socket ] || fail "eventmgrd.socket is not enabled"
# The web page's unit is installed off: no link, and (where systemd runs) neither enabled nor started.
grep -qx 'ExecStart=/usr/sbin/eventmgr-web' /lib/systemd/system/eventmgr-web.service ||
  fail "the web unit does not start /usr/sbin/eventmgr-web"
if [ -e /etc/systemd/system/multi-user.target.wants/eventmgr-web.service ] ||
  [ -L /etc/systemd/system/multi-user.target.wants/eventmgr-web.service ]; then
  fail "eventmgr-web.service is enabled"
fi
# An administrator may start it: an upgrade try-restarts it, a remove stops it.
grep -q 'try-restart.*eventmgr-web.service' /var/lib/dpkg/info/eventmgr.postinst ||
  fail "the postinst does not try-restart eventmgr-web.service after an upgrade"
grep -q 'deb-systemd-invoke stop eventmgr-web.service' /var/lib/dpkg/info/eventmgr.prerm ||
  fail "the prerm does not stop eventmgr-web.service on remove"
if [ -d /run/systemd/system ]; then
  [ "$(systemctl is-enabled eventmgr-web.service 2>/dev/null || true)" = disabled ] ||
    fail "eventmgr-web.service: $(systemctl is-enabled eventmgr-web.service 2>&1)"
  ! systemctl is-active --quiet eventmgr-web.service || fail "the package started eventmgr-web.service"
fi

echo "== installed binaries"
[ "$(eventmgr --version)" = "eventmgr $version" ] || fail "eventmgr --version: $(eventmgr --version)"
[ "$(/usr/sbin/eventmgrd --version)" = "eventmgrd $version" ] || fail "eventmgrd --version"
if [ -d /run/systemd/system ]; then
  # The package started the units: eventmgr talks to that daemon.
  wait_for 'eventmgr status >/dev/null 2>&1'
  systemd=1
else
  start_daemon
  systemd=0
fi
eventmgr check >>"$log" 2>&1 || fail "eventmgr check found problems: $(eventmgr check 2>&1 | grep -v '^ok' || true)"

echo "== round trip: submit, run, log"
id=$(eventmgr handler add --event client_create --command '/bin/echo package-test <new_login_name>' \
  --description 'tests/package/test_installed_package.sh')
eventmgr submit client_create new.login_name=pkgtest new.contact_name='Package Test' --wait=60 >>"$log" 2>&1 ||
  fail "eventmgr submit --wait failed"
wait_for '[ "$(eventmgr --json log --handler '"$id"' | grep -o "\"result\":\"ok\"" | wc -l)" -ge 1 ]'
run=$(eventmgr --json log --handler "$id" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
eventmgr log show "$run" | grep -q 'package-test pkgtest' || fail "the run's stdout: $(eventmgr log show "$run")"
# Plesk's event_handler, off PATH in the directory `eventmgr compat path` prints, lists it.
[ "$(eventmgr compat path)" = "$compat" ] || fail "eventmgr compat path: $(eventmgr compat path), want $compat"
! command -v event_handler >/dev/null || fail "event_handler is on PATH: $(command -v event_handler)"
"$(eventmgr compat path)/plesk" bin event_handler --list >"$log.list" 2>>"$log" || fail "plesk bin event_handler --list failed"
grep -qx "   Id               $id" "$log.list" || fail "plesk bin event_handler --list: $(cat "$log.list")"
grep -qx '   Command          /bin/echo package-test <new_login_name>' "$log.list" ||
  fail "plesk bin event_handler --list: $(cat "$log.list")"
rm -f "$log.list"
# A writer in the group eventmgr reaches the pipe of the packaged config.
[ "$(stat -c '%a %G' "$state/events.pipe")" = "620 eventmgr" ] || fail "the pipe: $(stat -c '%a %G' "$state/events.pipe")"

if [ "$systemd" -eq 0 ]; then
  stop_daemon
fi

echo "== dpkg --remove: the state dir and the conffile stay"
dpkg --remove eventmgr >>"$log" 2>&1 || fail "dpkg --remove failed"
[ ! -e /usr/bin/eventmgr ] && [ ! -e /usr/sbin/eventmgrd ] || fail "the binaries are still there after remove"
[ -f "$state/eventmgr.db" ] || fail "remove deleted the database"
[ -f /etc/eventmgr/eventmgr.yaml ] || fail "remove deleted the conffile"

echo "== dpkg -i again: the handler is still registered"
dpkg -i "$deb" >>"$log" 2>&1 || fail "dpkg -i (again) failed"
eventmgr --json handler show "$id" | grep -q 'package-test' || fail "handler $id is gone after remove and install"
if [ -d /run/systemd/system ]; then
  systemctl stop eventmgrd.service eventmgrd.socket
fi

echo "== dpkg --purge: nothing is left"
files=$(dpkg-query -L eventmgr | grep -v '^/\.$')
dpkg --purge eventmgr >>"$log" 2>&1 || fail "dpkg --purge failed"
left=()
while IFS= read -r path; do
  # Directories shared with other packages (/usr/bin, /lib/systemd/system ...) stay.
  if [ -e "$path" ] && ! [ -d "$path" ]; then
    left+=("$path")
  fi
done <<<"$files"
for path in "$state" /etc/eventmgr /usr/share/doc/eventmgr /etc/systemd/system/multi-user.target.wants/eventmgrd.service \
  /etc/systemd/system/sockets.target.wants/eventmgrd.socket /etc/systemd/system/multi-user.target.wants/eventmgr-web.service; do
  if [ -e "$path" ] || [ -L "$path" ]; then
    left+=("$path")
  fi
done
[ "${#left[@]}" -eq 0 ] || fail "left after purge: ${left[*]}"
if dpkg-query -W -f='${Status}' eventmgr 2>/dev/null | grep -qv 'not-installed'; then
  fail "dpkg still knows eventmgr after purge: $(dpkg-query -W -f='${Status}' eventmgr)"
fi
echo "PASS: package test: installed, checked, round trip, removed (state kept), reinstalled, purged (nothing left)"
