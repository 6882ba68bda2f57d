#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 6, hostile submitters: a writer that dies mid-record costs no other writer's record:
# its half line is rejected alone and the record glued to it is handled (security review F3); binary garbage is rejected and the
# daemon carries on; a flood of 5,000 records from two writers while every handler takes
# 0.05 s is journaled long before it is handled (the backlog shows in `status`, it lives in
# the journal, not in the daemon's memory) and every record ends done.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3 jq


flood=5000

cat >"$TMP/eventmgr.yaml" <<'EOF'
workers: 8
EOF
chmod 644 "$TMP/eventmgr.yaml"

handler_script slow <<'EOF'
sleep 0.05
printf '%s\n' "$1" >>@OUT@/handled
EOF

start_daemon --config "$TMP/eventmgr.yaml"
add_handler --event client_create --command "$BIN/slow <new_login_name>" >/dev/null
pipe=$STATE/events.pipe

# record LOGIN: a valid client_create record with id and login LOGIN.
record() {
  printf '{"event":"client_create","id":"%s","new":{"login_name":"%s","contact_name":"Hostile %s"}}' "$1" "$1" "$1"
}
rejected() {
  db "SELECT count(*) FROM rejected"
}
handled() {
  [ -e "$OUT/handled" ] && grep -qx "$1" "$OUT/handled"
}

# 1. A writer dies after half a record; the next writer's record is glued to it.
printf '{"event":"client_cre' >"$pipe"
to_pipe "$(record glued)"
to_pipe "$(record after-1)"
to_pipe "$(record after-2)"
wait_for 'handled glued && handled after-1 && handled after-2' 60
wait_for '[ "$(rejected)" -ge 1 ]' 60
[ "$(rejected)" -eq 1 ] || fail "expected 1 rejected record after the half record, got: $(db "SELECT reason FROM rejected")"
raw=$(db "SELECT CAST(raw AS TEXT) FROM rejected")
[ "$raw" = '{"event":"client_cre' ] || fail "the rejected record is not the half record alone: $raw"

# 2. Binary garbage (with newlines in it) is rejected line by line; the daemon carries on.
before=$(rejected)
{
  head -c 3000 /dev/urandom
  printf '\n'
} >"$pipe"
to_pipe "$(record after-garbage)"
wait_for 'handled after-garbage' 60
daemon_alive || fail "the daemon died on binary garbage"
[ "$(rejected)" -gt "$before" ] || fail "the binary garbage was not rejected"
[ "$(db "SELECT count(*) FROM events")" -eq 4 ] ||
  fail "the journal holds $(db "SELECT count(*) FROM events") events, expected 4 (glued, after-1, after-2, after-garbage)"

# 3. A flood: two writers, one record per write(), faster than the handlers run.
wait_for 'events_done 4' 60
rejected_before=$(rejected)
accepted_before=$(em status --json | jq -r .accepted)
writer() {
  local from=$1 to=$2 i
  exec 8>"$pipe"
  for ((i = from; i <= to; i++)); do
    printf '{"event":"client_create","id":"f%d","new":{"login_name":"f%d","contact_name":"Flood %d"}}\n' \
      "$i" "$i" "$i" >&8
  done
  exec 8>&-
}
writer 1 $((flood / 2)) &
writer_a=$!
writer $((flood / 2 + 1)) "$flood" &
writer_b=$!
wait "$writer_a" || fail "flood writer A failed"
wait "$writer_b" || fail "flood writer B failed"

# Intake keeps up: every record is journaled while most are still waiting for their handler,
# and `status` shows that backlog.
target=$((accepted_before + flood))
wait_for "[ \"\$(em status --json | jq -r .accepted)\" -ge $target ]" 60
em status --json >"$TMP/status.json"
pending=$(jq -r .pending_events "$TMP/status.json")
echo "all $flood flood records journaled; status: $(cat "$TMP/status.json")"
[ "$(jq -r .accepted "$TMP/status.json")" -eq "$target" ] || fail "accepted is $(jq -r .accepted "$TMP/status.json"), expected $target"
[ "$pending" -gt 0 ] || fail "status shows no pending events while the slow handlers work through the flood"
[ "$pending" -le "$flood" ] || fail "status shows $pending pending events, more than the $flood sent"
[ "$(lines "$OUT/handled")" -lt $((4 + flood)) ] || fail "the flood was handled before it was journaled"

total=$((4 + flood))
wait_for "events_done $total" 280
em status --json >"$TMP/status.json"
[ "$(jq -r .pending_events "$TMP/status.json")" -eq 0 ] || fail "events still pending: $(cat "$TMP/status.json")"

seq 1 "$flood" | sed 's/^/f/' | LC_ALL=C sort >"$TMP/want"
grep '^f' "$OUT/handled" | LC_ALL=C sort -u >"$TMP/got"
diff -u "$TMP/want" "$TMP/got" >"$TMP/diff" || fail "flood records lost: $(head -20 "$TMP/diff")"
[ "$(grep -c '^f' "$OUT/handled")" -eq "$flood" ] || fail "some flood records were handled twice"
[ "$(rejected)" -eq "$rejected_before" ] || fail "valid flood records were rejected: $(db "SELECT reason FROM rejected ORDER BY id DESC LIMIT 5")"

check_peak_memory "a flood of $flood records"
stop_daemon
