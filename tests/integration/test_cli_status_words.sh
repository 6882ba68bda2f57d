#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `eventmgr status` says what it means: the daemon's own errors apart from handler failures
# (which it points to), and a user who may not read the state dir is told who may, not a raw
# filesystem error.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

handler_script fails <<'EOF2'
exit 5
EOF2

start_daemon
add_handler --event client_create --command "$BIN/fails" >/dev/null
to_pipe '{"event":"client_create","id":"s-1","new":{"login_name":"a","contact_name":"A"}}'
wait_for '[ "$(db "SELECT count(*) FROM runs WHERE status = '"'exit'"'")" = 1 ]'
wait_for 'em status | grep -q "^last hour: 0 runs ok, 1 failed (eventmgr log --failed lists them)$"' 20
out=$(em status)
echo "$out" | grep -qx "daemon error: none" || fail "status mixes up daemon errors and failed runs:
$out"
! echo "$out" | grep -q "^last error" || fail "status still says 'last error':
$out"

if [ "$(id -u)" -eq 0 ]; then
  not 1 runuser -u nobody -- "$EVENTMGR_BIN" --state-dir "$STATE" status
  grep -q "^eventmgr: cannot read $STATE.*: Permission denied (you are not root: .*members of its pipe_group may run eventmgr status" \
    "$TMP/not.out" || fail "status as a user who may not read the state dir: $(cat "$TMP/not.out")"
  ! grep -q "filesystem error" "$TMP/not.out" || fail "a raw filesystem error: $(cat "$TMP/not.out")"
fi
stop_daemon
