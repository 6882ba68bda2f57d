#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A retry's due time is durable (docs/RELIABILITY.md): the daemon killed with SIGKILL while a failed
# run waits for its retry retries it exactly once after it starts again, not before the due
# time written with the failed run; the event's lower-priority handler then runs once.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

handler_script flaky <<'EOF'
echo "$EVENTMGR_ATTEMPT $(date +%s%3N)" >>@OUT@/flaky.log
[ "$EVENTMGR_ATTEMPT" -ge 2 ] && exit 0
exit 75
EOF
handler_script after <<'EOF'
echo after >>@OUT@/after.log
EOF

cat >"$TMP/eventmgr.yaml" <<'EOF'
retry_delays: [4s]
EOF
chmod 644 "$TMP/eventmgr.yaml"
start_daemon --config "$TMP/eventmgr.yaml"
flaky=$(add_handler --event client_create --priority high --command "$BIN/flaky")
add_handler --event client_create --priority low --command "$BIN/after" >/dev/null

to_pipe '{"event":"client_create","id":"k1","new":{"login_name":"jdoe","contact_name":"J"}}'
# The failed run and its due time are written together.
wait_for "[ \"\$(db \"SELECT count(*) FROM deliveries WHERE state = 'waiting' AND due_at IS NOT NULL\")\" = 1 ]" 20
due=$(db "SELECT due_at FROM deliveries")
kill9_daemon
[ "$(lines "$OUT/flaky.log")" = 1 ] || fail "the handler ran $(lines "$OUT/flaky.log") times before the kill, expected 1"

start_daemon --config "$TMP/eventmgr.yaml"
wait_for 'events_done 1' 30
[ "$(lines "$OUT/flaky.log")" = 2 ] || fail "the handler ran $(lines "$OUT/flaky.log") times, expected 2 (one retry): $(cat "$OUT/flaky.log")"
[ "$(lines "$OUT/after.log")" = 1 ] || fail "the lower-priority handler ran $(lines "$OUT/after.log") times, expected once"
retried_at=$(sed -n 2p "$OUT/flaky.log" | cut -d' ' -f2)
[ "$retried_at" -ge "$due" ] || fail "the retry ran at $retried_at, before its due time $due"
[ "$(db "SELECT group_concat(attempt || ':' || status, ' ') FROM (SELECT * FROM runs WHERE handler_id = $flaky ORDER BY id)")" = "1:exit 2:ok" ] ||
  fail "runs of the retried handler: $(db "SELECT attempt, status FROM runs WHERE handler_id = $flaky")"
[ "$(db "SELECT count(*) FROM deliveries")" = 0 ] || fail "the settled delivery left a row: $(db "SELECT * FROM deliveries")"

# Another start finds nothing left to retry.
stop_daemon
start_daemon --config "$TMP/eventmgr.yaml"
stop_daemon
[ "$(lines "$OUT/flaky.log")" = 2 ] || fail "a later start ran the handler again"
