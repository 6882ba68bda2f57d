#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 6, power-loss model: what the daemon has acknowledged is committed. The daemon is
# killed with SIGKILL the moment it acknowledges a record, (a) `eventmgr submit --wait`
# returned 0, (b) it removed a pickup file, and after a restart the event is in the journal
# (by its id) and its handler runs. Each case is repeated a few times.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3

rounds=5

handler_script record <<'EOF'
printf '%s\n' "$1" >>@OUT@/handled
EOF

start_daemon
add_handler --event client_create --command "$BIN/record <new_login_name>" >/dev/null

# journaled ID: the journal holds exactly one event with submit id ID.
journaled() {
  [ "$(db "SELECT count(*) FROM events WHERE submit_id = '$1'")" = 1 ]
}

# (a) `submit --wait` returned 0: the record is journaled, whatever happens next.
for i in $(seq 1 "$rounds"); do
  id=wait-$i
  em submit client_create new.login_name="$id" new.contact_name="Wait $i" --id "$id" --wait=20 >"$TMP/submit.out" ||
    fail "submit --wait of $id failed: $(cat "$TMP/submit.out")"
  kill9_daemon
  journaled "$id" || fail "submit --wait acknowledged $id, but after kill -9 it is not in the journal"
  start_daemon
  journaled "$id" || fail "$id is not in the journal after the restart"
  wait_for "grep -qx '$id' \"\$OUT/handled\"" 60
done

# (b) The daemon removed a pickup file: its records are journaled.
for i in $(seq 1 "$rounds"); do
  id=pick-$i
  printf '{"event":"client_create","id":"%s","new":{"login_name":"%s","contact_name":"Pickup %d"}}\n' \
    "$id" "$id" "$i" >"$STATE/pickup/.$id.tmp"
  mv "$STATE/pickup/.$id.tmp" "$STATE/pickup/$id.json"
  # Poll as tightly as the shell allows: the kill must follow the removal at once.
  deadline=$((SECONDS + 60))
  while [ -e "$STATE/pickup/$id.json" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "pickup file $id.json was not taken within 60s"
  done
  kill9_daemon
  journaled "$id" || fail "the daemon removed pickup file $id.json, but after kill -9 $id is not in the journal"
  start_daemon
  journaled "$id" || fail "$id is not in the journal after the restart"
  wait_for "grep -qx '$id' \"\$OUT/handled\"" 60
done

total=$((2 * rounds))
wait_for "events_done $total" 60
[ "$(db "SELECT count(*) FROM events")" -eq "$total" ] || fail "the journal holds $(db "SELECT count(*) FROM events") events, expected $total"
[ "$(db "SELECT count(*) FROM rejected")" -eq 0 ] || fail "records were rejected: $(db "SELECT reason FROM rejected LIMIT 5")"
stop_daemon
