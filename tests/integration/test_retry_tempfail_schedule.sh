#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Retries (docs/RELIABILITY.md): a handler that exits 75 (EX_TEMPFAIL) twice and then 0 runs three
# times, attempts 1-3 with EVENTMGR_ATTEMPT 1-3, each retry at least its delay of the schedule
# (retry_delays: [1s, 2s], -10 % jitter) after the failure; the event's lower-priority handler
# runs once, after the retried one succeeded; nothing is left waiting or dead.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

handler_script flaky <<'EOF'
n=$(cat @OUT@/count 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" >@OUT@/count
echo "$EVENTMGR_ATTEMPT $(date +%s%3N)" >>@OUT@/flaky.log
[ "$n" -ge 3 ] && exit 0
exit 75
EOF
handler_script after <<'EOF'
echo "after $(cat @OUT@/count)" >>@OUT@/after.log
EOF

cat >"$TMP/eventmgr.yaml" <<'EOF'
retry_delays: [1s, 2s]
EOF
chmod 644 "$TMP/eventmgr.yaml"
start_daemon --config "$TMP/eventmgr.yaml"
flaky=$(add_handler --event client_create --priority high --command "$BIN/flaky")
add_handler --event client_create --priority low --command "$BIN/after" >/dev/null

to_pipe '{"event":"client_create","id":"r1","new":{"login_name":"jdoe","contact_name":"J"}}'
wait_for 'events_done 1' 30

[ "$(cut -d' ' -f1 "$OUT/flaky.log" | tr '\n' ' ')" = "1 2 3 " ] ||
  fail "EVENTMGR_ATTEMPT was not 1, 2, 3: $(cat "$OUT/flaky.log")"
[ "$(cat "$OUT/after.log")" = "after 3" ] ||
  fail "the lower-priority handler did not run once after the retries: $(cat "$OUT/after.log" 2>/dev/null)"
[ "$(db "SELECT group_concat(attempt || ':' || status || ':' || coalesce(exit_code, ''), ' ') FROM (SELECT * FROM runs WHERE handler_id = $flaky ORDER BY id)")" = "1:exit:75 2:exit:75 3:ok:0" ] ||
  fail "runs of the flaky handler: $(db "SELECT attempt, status, exit_code FROM runs WHERE handler_id = $flaky")"
# Each retry waited at least its delay (jitter is at most 10 %): 0.9 s, then 1.8 s.
mapfile -t times < <(cut -d' ' -f2 "$OUT/flaky.log")
[ $((times[1] - times[0])) -ge 900 ] || fail "the first retry came $((times[1] - times[0])) ms after the failure, before its 1s delay"
[ $((times[2] - times[1])) -ge 1800 ] || fail "the second retry came $((times[2] - times[1])) ms after the failure, before its 2s delay"
[ "$(db "SELECT count(*) FROM deliveries")" = 0 ] || fail "a settled delivery left a row: $(db "SELECT * FROM deliveries")"
stop_daemon
