#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4, behaviour 6: a handler that sleeps past its time-out is killed together with its
# children: SIGTERM to its process group, SIGKILL after kill_grace (here the handler and its
# background child ignore SIGTERM, so only the SIGKILL ends them). The run is recorded as a
# time-out and the next handler still runs.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3

handler_script stubborn <<'EOF'
trap '' TERM
sleep 300 &
echo $! >@OUT@/child.pid
echo $$ >@OUT@/handler.pid
sleep 300
echo "not killed" >@OUT@/survived
EOF
handler_script after <<'EOF'
echo ran >@OUT@/after
EOF

cat >"$TMP/eventmgr.yaml" <<'EOF'
kill_grace: 1
retries: 0 # its failed runs are the point here, not their retries (test_retry_*)
EOF
chmod 644 "$TMP/eventmgr.yaml"
start_daemon --config "$TMP/eventmgr.yaml"
stubborn_id=$(add_handler --event client_create --priority high --timeout 1 --command "$BIN/stubborn")
add_handler --event client_create --priority low --command "$BIN/after" >/dev/null

to_pipe '{"event":"client_create","id":"t1","new":{"login_name":"t1","contact_name":"Time Out"}}'

wait_for '[ -s "$OUT/child.pid" ] && [ -s "$OUT/handler.pid" ]' 30
child=$(cat "$OUT/child.pid")
handler=$(cat "$OUT/handler.pid")
kill_on_exit "$child" "$handler"
wait_for '! alive "$handler"' 30
wait_for '! alive "$child"' 30
wait_for 'events_done 1' 30

status=$(db "SELECT status || ' ' || timed_out FROM runs WHERE handler_id = $stubborn_id")
[ "$status" = "timeout 1" ] || fail "the run of the stubborn handler is recorded as '$status', expected 'timeout 1'"
[ -e "$OUT/after" ] || fail "the next handler did not run after the time-out"
[ ! -e "$OUT/survived" ] || fail "the handler went on after its time-out"
stop_daemon
