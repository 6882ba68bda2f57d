#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4, behaviour 7: a handler inherits no descriptor of the daemon (database, pipe, log
# file, inotify, ...): it has only 0, 1 and 2.
#
# Two views: `ls /proc/self/fd` run as the handler itself (its listing holds 0, 1, 2 and the
# one directory descriptor ls opens to list, so exactly 0 1 2 3), and the test inspecting
# /proc/PID/fd of a handler that exec'd sleep (exactly 0 1 2, with what they point to).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3

cat >"$TMP/eventmgr.yaml" <<'EOF'
log_file: eventmgrd.log
workers: 2
retries: 0 # its failed runs are the point here, not their retries (test_retry_*)
EOF
chmod 644 "$TMP/eventmgr.yaml"
start_daemon --config "$TMP/eventmgr.yaml"

# The premise: the daemon holds its log file, database and pipe open.
daemon_fds=$(ls -l "/proc/$DAEMON_PID/fd")
for file in eventmgrd.log eventmgr.db events.pipe; do
  printf '%s\n' "$daemon_fds" | grep -q "$STATE/$file" || fail "the daemon does not hold $file open: $daemon_fds"
done

ls_id=$(add_handler --event client_create --command "/bin/ls -1 /proc/self/fd")
add_handler --event client_create --command "/bin/sh -c 'echo \$\$ >$OUT/pid; exec /bin/sleep 120'" >/dev/null

# Through the pickup dir as well, so both intakes have been busy.
printf '%s\n' '{"event":"client_create","id":"f0","new":{"login_name":"f0","contact_name":"Pickup"}}' \
  >"$STATE/pickup/.f0.tmp"
mv "$STATE/pickup/.f0.tmp" "$STATE/pickup/f0.json"
wait_for '[ -s "$OUT/pid" ]' 30
pid=$(cat "$OUT/pid")
kill_on_exit "$pid"
wait_for '[ "$(cat /proc/$pid/comm 2>/dev/null)" = sleep ]' 30

fds=$(ls "/proc/$pid/fd" | LC_ALL=C sort -n | tr '\n' ' ')
if [ "$fds" != "0 1 2 " ]; then
  fail "the handler has descriptors other than 0, 1, 2: $(ls -l "/proc/$pid/fd")"
fi
[ "$(readlink "/proc/$pid/fd/0")" = /dev/null ] || fail "handler stdin is $(readlink "/proc/$pid/fd/0")"
kill -TERM "$pid"

wait_for 'events_done 1' 30
listing=$(db "SELECT CAST(stdout AS TEXT) FROM runs WHERE handler_id = $ls_id")
listing=$(printf '%s' "$listing" | tr '\n' ' ')
[ "$listing" = "0 1 2 3" ] ||
  fail "ls /proc/self/fd in a handler lists '$listing', expected '0 1 2 3' (3 being ls's own directory)"
stop_daemon
