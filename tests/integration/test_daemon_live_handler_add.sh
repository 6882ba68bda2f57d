#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4, behaviour 10: a handler added with the CLI while the daemon runs handles the next
# event, without a signal; an event finished before it was added does not run it. An event
# with no enabled handler is journaled done at once, and `replay` runs today's handlers for it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3

handler_script record <<'EOF'
printf '%s\n' "$1" >>@OUT@/handled
EOF

start_daemon
to_pipe '{"event":"client_create","id":"before","new":{"login_name":"before","contact_name":"Before"}}'
wait_for 'events_done 1' 30

add_handler --event client_create --command "$BIN/record <new_login_name>" >/dev/null
to_pipe '{"event":"client_create","id":"after","new":{"login_name":"after","contact_name":"After"}}'
wait_for '[ -s "$OUT/handled" ]' 30
wait_for 'events_done 2' 30
[ "$(cat "$OUT/handled")" = after ] || fail "handled: $(cat "$OUT/handled"), expected only 'after'"

# A second handler for the same event joins the next one, after the first (same priority, id order).
handler_script second <<'EOF'
printf 'second %s\n' "$1" >>@OUT@/handled
EOF
add_handler --event client_create --command "$BIN/second <new_login_name>" >/dev/null
to_pipe '{"event":"client_create","id":"third","new":{"login_name":"third","contact_name":"Third"}}'
wait_for 'events_done 3' 30
printf '%s\n' after third "second third" >"$TMP/want"
diff -u "$TMP/want" "$OUT/handled" || fail "the handlers added while running were not used for the next event"

before=$(db "SELECT seq FROM events WHERE submit_id = 'before'")
[ "$(db "SELECT state || ' ' || (finished_at = received_at) FROM events WHERE seq = $before")" = "done 1" ] ||
  fail "the event without a handler was not journaled done: $(db "SELECT state, received_at, finished_at FROM events WHERE seq = $before")"
[ "$(db "SELECT count(*) FROM runs WHERE event_seq = $before")" -eq 0 ] || fail "the event without a handler has runs"
em replay "$before" >/dev/null || fail "replay of event $before failed"
wait_for '[ "$(db "SELECT count(*) FROM runs WHERE event_seq = $before AND finished_at IS NOT NULL")" -eq 2 ]' 30
printf '%s\n' after third "second third" before "second before" >"$TMP/want"
diff -u "$TMP/want" "$OUT/handled" || fail "replay did not run today's handlers for the event journaled without one"
stop_daemon
