#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/RELIABILITY.md, crash recovery: a run whose row was not written yet (rows are written in batches, the
# run ledger holds it meanwhile) is shown `interrupted` after a crash and run again. The
# handler itself kills the daemon with SIGKILL the moment it starts, before any batch is
# written, so the ledger is the only trace of the run.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3

# A handler user that may signal the daemon: root when the tests run as root.
crash_user=$(id -un)

handler_script crash <<'EOF'
if [ -e @OUT@/crashed ]; then
  printf '%s\n' "$1" >>@OUT@/ran
  exit 0
fi
: >@OUT@/crashed
kill -KILL "$PPID"
EOF

start_daemon
em handler add --event client_create --user "$crash_user" --command "$BIN/crash <new_login_name>" >/dev/null ||
  fail "handler add failed"
to_pipe '{"event":"client_create","id":"c1","new":{"login_name":"crashy","contact_name":"C"}}'
wait_for '[ -e "$OUT/crashed" ] && ! daemon_alive' 30
kill9_daemon # reaps it

start_daemon
wait_for '[ "$(lines "$OUT/ran")" -ge 1 ]' 30
wait_for 'events_done 1' 30
[ "$(cat "$OUT/ran")" = crashy ] || fail "the second attempt got '$(cat "$OUT/ran")'"

rows=$(db "SELECT attempt || ' ' || status || ' ' || argv FROM runs ORDER BY attempt")
expected="1 interrupted [\"$BIN/crash\",\"crashy\"]
2 ok [\"$BIN/crash\",\"crashy\"]"
[ "$rows" = "$expected" ] || fail "runs after the crash:
$rows
expected:
$expected"
em log --event client_create | grep -q interrupted || fail "eventmgr log does not show the interrupted run"
grep -q 'interrupted by a stop; they run again' "$TMP/daemon.log" || fail "the daemon did not log the interrupted run"
stop_daemon
echo "ok: the run cut short before its row was written is shown interrupted and ran again"
