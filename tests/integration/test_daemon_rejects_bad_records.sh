#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4, behaviour 3: garbage, an unknown event, a missing required parameter, a nested
# value, invalid UTF-8 and an over-long line written to the FIFO are rejected and stored with
# a reason naming the cause; the daemon carries on and handles the next valid records.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3

handler_script record <<'EOF'
printf '%s\n' "$1" >>@OUT@/handled
EOF

start_daemon
add_handler --event client_create --command "$BIN/record <new_login_name>" >/dev/null

pipe=$STATE/events.pipe
printf 'this is not json at all\n' >"$pipe"
to_pipe '{"event":"client_create","id":"ok-1","new":{"login_name":"ok-1","contact_name":"One"}}'
to_pipe '{"event":"no_such_event","id":"bad-unknown","new":{"login_name":"bad-unknown"}}'
to_pipe '{"event":"client_create","id":"bad-missing","new":{"contact_name":"No Login"}}'
to_pipe '{"event":"client_create","id":"bad-nested","new":{"login_name":"bad-nested","contact_name":{"first":"A"}}}'
printf '{"event":"client_create","id":"bad-utf8","new":{"login_name":"bad-utf8","contact_name":"\xff\xfe"}}\n' >"$pipe"
# An over-long line (5000 bytes) and a valid record after it in the same write: the reader
# resynchronises at the newline and loses nothing else.
long=$(head -c 5000 /dev/zero | tr '\0' x)
printf '%s\n%s\n' \
  "{\"event\":\"client_create\",\"id\":\"bad-long\",\"new\":{\"login_name\":\"bad-long\",\"contact_name\":\"$long\"}}" \
  '{"event":"client_create","id":"ok-2","new":{"login_name":"ok-2","contact_name":"Two"}}' >"$pipe"
to_pipe '{"event":"client_create","id":"ok-3","new":{"login_name":"ok-3","contact_name":"Three"}}'

wait_for '[ "$(lines "$OUT/handled")" -ge 3 ]' 30
wait_for 'events_done 3' 30
wait_for '[ "$(db "SELECT count(*) FROM rejected")" -ge 6 ]' 30
daemon_alive || fail "the daemon died"

printf '%s\n' ok-1 ok-2 ok-3 >"$TMP/want.handled"
LC_ALL=C sort "$OUT/handled" | diff -u "$TMP/want.handled" - || fail "the valid records were not handled exactly once"

[ "$(db "SELECT count(*) FROM rejected")" -eq 6 ] ||
  fail "expected 6 rejected records, got: $(db "SELECT reason FROM rejected")"

# expect_reason RAW_PREFIX WORD...: the rejected record starting with RAW_PREFIX has a reason
# that contains every WORD (case-insensitive).
expect_reason() {
  local prefix=$1 reason word
  shift
  reason=$(db "SELECT reason FROM rejected WHERE substr(CAST(raw AS TEXT), 1, length(CAST('$prefix' AS TEXT))) = '$prefix'")
  [ -n "$reason" ] || fail "no rejected record starting with $prefix; rejected: $(db "SELECT reason FROM rejected")"
  [ "$(printf '%s\n' "$reason" | wc -l)" -eq 1 ] || fail "more than one rejected record starting with $prefix"
  for word in "$@"; do
    printf '%s' "$reason" | grep -qiF -- "$word" || fail "reason for '$prefix...' does not mention '$word': $reason"
  done
}
expect_reason 'this is not json' json
expect_reason '{"event":"no_such_event"' unknown no_such_event
expect_reason '{"event":"client_create","id":"bad-missing"' required login_name
expect_reason '{"event":"client_create","id":"bad-nested"' nested contact_name
expect_reason '{"event":"client_create","id":"bad-utf8"' utf-8
expect_reason '{"event":"client_create","id":"bad-long"' 4096

# Nothing of the rejected records reached the journal.
[ "$(db "SELECT count(*) FROM events WHERE submit_id LIKE 'bad-%'")" -eq 0 ] || fail "a rejected record was journaled"
stop_daemon
