#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4, behaviour 9: with the FIFO held open by another process (as systemd holds it), two
# `kill -9` of the daemon during a burst of 300 records lose none; a record is handled twice
# only when its run was interrupted by the crash (and run again at the next start).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3

handler_script record <<'EOF'
printf '%s\n' "$1" >>@OUT@/handled
EOF

start_daemon
add_handler --event client_create --command "$BIN/record <new_login_name>" >/dev/null
exec 9<>"$STATE/events.pipe" # the test holds the FIFO open, as the service manager does

total=300
(
  for i in $(seq 1 "$total"); do
    printf '{"event":"client_create","id":"k%d","new":{"login_name":"k%d","contact_name":"Kill %d"}}\n' \
      "$i" "$i" "$i" >"$STATE/events.pipe"
    # Spread the burst so the crashes land in the middle of it.
    [ $((i % 10)) -ne 0 ] || sleep 0.02
  done
) &
writer=$!

wait_for '[ "$(lines "$OUT/handled")" -ge 40 ]' 30
kill9_daemon
start_daemon
wait_for '[ "$(lines "$OUT/handled")" -ge 150 ]' 60
kill9_daemon
start_daemon

wait "$writer" || fail "the writer failed"
exec 9<&- # the pipe stays open: the daemon holds it read-write
wait_for "[ \"\$(LC_ALL=C sort -u \"\$OUT/handled\" | wc -l)\" -ge $total ]" 60
wait_for "events_done $total" 60

seq 1 "$total" | sed 's/^/k/' | LC_ALL=C sort >"$TMP/want"
LC_ALL=C sort -u "$OUT/handled" >"$TMP/got"
diff -u "$TMP/want" "$TMP/got" >"$TMP/diff" || fail "records lost or altered: $(head -20 "$TMP/diff")"

handled=$(lines "$OUT/handled")
duplicates=$((handled - total))
interrupted=$(db "SELECT count(*) FROM runs WHERE status = 'interrupted'")
echo "handled $handled runs for $total records; $interrupted interrupted runs"
[ "$duplicates" -le "$interrupted" ] ||
  fail "$duplicates records handled twice but only $interrupted runs were interrupted: $(LC_ALL=C sort "$OUT/handled" | uniq -d | head -10 | tr '\n' ' ')"
# Each duplicate belongs to an event with an interrupted run.
for id in $(LC_ALL=C sort "$OUT/handled" | uniq -d); do
  [ "$(db "SELECT count(*) FROM runs JOIN events ON runs.event_seq = events.seq
           WHERE events.submit_id = '$id' AND runs.status = 'interrupted'")" -ge 1 ] ||
    fail "record $id was handled twice without an interrupted run"
done
[ "$(db "SELECT count(*) FROM events")" -eq "$total" ] || fail "the journal holds a record twice"
[ "$(db "SELECT count(*) FROM rejected")" -eq 0 ] || fail "records were rejected: $(db "SELECT reason FROM rejected LIMIT 5")"
stop_daemon
