#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The rough edges of `eventmgr submit` a new administrator met: --wait before the event name,
# --json as the output option (the record goes with --record), a duplicate id, a submit while
# the daemon is down, and `replay` of the id submit printed.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

handler_script record <<'EOF2'
echo "$1" >>@OUT@/seen
EOF2

# The daemon is down (after a first start made the pickup dir): the record waits in the pickup
# dir, and submit says nothing runs yet.
start_daemon
add_handler --event client_create --command "$BIN/record <new_login_name>" >/dev/null
stop_daemon
em submit client_create new.login_name=early new.contact_name=E --id early-1 >"$TMP/down.out" 2>"$TMP/down.err" ||
  fail "submit while the daemon is down failed: $(cat "$TMP/down.err")"
[ "$(cat "$TMP/down.out")" = early-1 ] || fail "submit printed $(cat "$TMP/down.out")"
grep -q "eventmgrd is not running: the record waits in .*pickup and nothing runs until the daemon starts" \
  "$TMP/down.err" || fail "no word that the daemon is down: $(cat "$TMP/down.err")"

start_daemon
wait_for 'events_done 1'

# --wait before the event: the event's name is not taken as the seconds.
em submit --wait client_create new.login_name=w1 new.contact_name=W --id wait-1 >"$TMP/wait.out" 2>&1 ||
  fail "submit --wait EVENT failed: $(cat "$TMP/wait.out")"
grep -qx 'wait-1 journaled as event [0-9]*' "$TMP/wait.out" || fail "submit --wait: $(cat "$TMP/wait.out")"
em submit --wait=20 client_create new.login_name=w2 new.contact_name=W --id wait-2 >/dev/null ||
  fail "submit --wait=20 failed"
not 2 em submit --wait=soon client_create new.login_name=w3
grep -q -- "--wait=soon: give seconds, 0..86400" "$TMP/not.out" || fail "a bad --wait: $(cat "$TMP/not.out")"

# --json is the output option, also after submit; the record itself goes with --record.
em submit client_create new.login_name=j1 new.contact_name=J --id json-1 --json >"$TMP/json.out" ||
  fail "submit ... --json failed"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["id"] == "json-1", d' "$TMP/json.out" ||
  fail "submit --json output: $(cat "$TMP/json.out")"
em submit --record '{"event":"client_create","id":"rec-1","new":{"login_name":"r1","contact_name":"R"}}' \
  >/dev/null || fail "submit --record failed"
echo '{"event":"client_create","id":"rec-2","new":{"login_name":"r2","contact_name":"R"}}' |
  em submit --record - --wait >/dev/null || fail "submit --record - failed"
not 2 em submit '{"event":"client_create"}'
grep -q "give the whole record with --record" "$TMP/not.out" || fail "a record as a word: $(cat "$TMP/not.out")"
wait_for '[ "$(lines "$OUT/seen")" -ge 6 ]'

# A duplicate id would be dropped: said at once (root reads the journal), exit 1.
not 1 em submit client_create new.login_name=w1 new.contact_name=W --id wait-1
grep -q "record id wait-1 is already journaled as event [0-9]* and would be dropped as a duplicate" "$TMP/not.out" ||
  fail "a duplicate id: $(cat "$TMP/not.out")"

# replay takes the id submit printed, or the event id; a huge number is not a range error.
em replay wait-1 >"$TMP/replay.out" || fail "replay of a record id failed"
grep -q "^replay of event [0-9]* (client_create), all enabled handlers queued" "$TMP/replay.out" ||
  fail "replay: $(cat "$TMP/replay.out")"
wait_for '[ "$(grep -cx w1 "$OUT/seen")" = 2 ]'
not 2 em replay 123456789012345678901234567890123456789012345678901234567890
grep -q "no event with id or record id '123456789012345678901234567890" "$TMP/not.out" ||
  fail "replay of a huge number: $(cat "$TMP/not.out")"
not 2 em replay no-such-record
[ "$(wc -l <"$TMP/not.out")" = 1 ] || fail "replay of an unknown id: $(cat "$TMP/not.out")"

stop_daemon
