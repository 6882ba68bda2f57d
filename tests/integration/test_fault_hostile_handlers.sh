#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 6, hostile handlers: a handler that floods stdout with 300 MB costs the daemon no
# memory and its run keeps the first output_limit bytes, marked truncated; a child a handler
# leaves behind is killed with the handler's process group; a handler ignoring SIGTERM is
# killed after kill_grace and recorded as a time-out; a handler that closes its stdout early
# is recorded as it ended (ok, its stderr kept).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3

limit=65536

cat >"$TMP/eventmgr.yaml" <<EOF
kill_grace: 1
retries: 0 # its failed runs are the point here, not their retries (test_retry_*)
output_limit: $limit
EOF
chmod 644 "$TMP/eventmgr.yaml"

handler_script flood <<'EOF'
head -c 300000000 /dev/zero
echo flooded >@OUT@/flood.done
EOF
handler_script orphan <<'EOF'
sleep 300 &
echo $! >@OUT@/orphan.pid
exit 0
EOF
handler_script stubborn <<'EOF'
trap '' TERM
echo $$ >@OUT@/stubborn.pid
while :; do
  sleep 0.1
done
EOF
handler_script closer <<'EOF'
exec >&-
sleep 0.2
echo x >&2
EOF

start_daemon --config "$TMP/eventmgr.yaml"
flood_id=$(add_handler --event client_create --timeout 600 --command "$BIN/flood")
orphan_id=$(add_handler --event domain_create --command "$BIN/orphan")
stubborn_id=$(add_handler --event client_update --timeout 1 --command "$BIN/stubborn")
closer_id=$(add_handler --event domain_update --command "$BIN/closer")

# run_of HANDLER_ID COLUMNS: the columns of the handler's (only) run, '|'-separated.
run_of() {
  db "SELECT $2 FROM runs WHERE handler_id = $1 AND status <> 'running'"
}

# 1. The stdout flood: recorded with exactly output_limit bytes kept, memory bounded.
em submit client_create new.login_name=flood new.contact_name=Flood --id flood --wait=60 >/dev/null ||
  fail "submit of the flood event failed"
wait_for '[ -n "$(run_of "$flood_id" status)" ]' 300
[ -e "$OUT/flood.done" ] || fail "the flooding handler did not get to write all its output"
got=$(run_of "$flood_id" "status || ' ' || stdout_truncated || ' ' || length(stdout) || ' ' || (stdout = zeroblob($limit))")
[ "$got" = "ok 1 $limit 1" ] ||
  fail "flood run recorded as '$got', expected 'ok 1 $limit 1' (status, stdout_truncated, length(stdout), the first bytes kept)"
check_peak_memory "a 300 MB stdout flood"

# 2. A child that outlives its handler dies with the handler's process group.
em submit domain_create new.domain_name=orphan.example --id orphan --wait=60 >/dev/null ||
  fail "submit of the orphan event failed"
wait_for '[ -s "$OUT/orphan.pid" ]' 60
orphan=$(cat "$OUT/orphan.pid")
kill_on_exit "$orphan"
wait_for '[ -n "$(run_of "$orphan_id" status)" ]' 60
[ "$(run_of "$orphan_id" status)" = ok ] || fail "the orphaning handler's run is '$(run_of "$orphan_id" status)', expected ok"
wait_for '! alive "$orphan"' 60

# 3. A handler ignoring SIGTERM past its time-out: SIGKILL after kill_grace, recorded as time-out.
em submit client_update new.login_name=stubborn new.contact_name=Stubborn --id stubborn --wait=60 >/dev/null ||
  fail "submit of the stubborn event failed"
wait_for '[ -s "$OUT/stubborn.pid" ]' 60
stubborn=$(cat "$OUT/stubborn.pid")
kill_on_exit "$stubborn"
wait_for '[ -n "$(run_of "$stubborn_id" status)" ]' 60
got=$(run_of "$stubborn_id" "status || ' ' || timed_out")
[ "$got" = "timeout 1" ] || fail "the stubborn handler's run is recorded as '$got', expected 'timeout 1'"
wait_for '! alive "$stubborn"' 60

# 4. A handler that closes its stdout early and writes to stderr later: ok, stderr "x".
em submit domain_update new.domain_name=closer.example --id closer --wait=60 >/dev/null ||
  fail "submit of the closer event failed"
wait_for '[ -n "$(run_of "$closer_id" status)" ]' 60
got=$(run_of "$closer_id" "status || ' ' || coalesce(exit_code, 'null') || ' ' || length(coalesce(stdout, '')) || ' ' || stdout_truncated || ' ' || stderr_truncated")
[ "$got" = "ok 0 0 0 0" ] || fail "the closer's run is recorded as '$got', expected 'ok 0 0 0 0' (status, exit, stdout length, truncation flags)"
stderr=$(run_of "$closer_id" "CAST(stderr AS TEXT)")
[ "$stderr" = x ] || fail "the closer's stderr is recorded as '$stderr', expected 'x'"

wait_for 'events_done 4' 60
daemon_alive || fail "the daemon died"
stop_daemon
