#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4, behaviour 4: 10 concurrent writers x 50 records, one write() per record, through the
# FIFO: every record is journaled and handled exactly once.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3

handler_script record <<'EOF'
printf '%s\n' "$1" >>@OUT@/handled
EOF

start_daemon
add_handler --event client_create --command "$BIN/record <new_login_name>" >/dev/null

writers=10
per_writer=50
total=$((writers * per_writer))
pids=()
for w in $(seq 1 "$writers"); do
  (
    for i in $(seq 1 "$per_writer"); do
      # printf is a builtin: one write() per record, well under PIPE_BUF.
      printf '{"event":"client_create","id":"w%d-%d","new":{"login_name":"w%d-%d","contact_name":"Writer %d record %d"}}\n' \
        "$w" "$i" "$w" "$i" "$w" "$i" >"$STATE/events.pipe"
    done
  ) &
  pids+=($!)
done
for pid in "${pids[@]}"; do
  wait "$pid" || fail "writer $pid failed"
done

wait_for "[ \"\$(lines \"\$OUT/handled\")\" -ge $total ]" 60
wait_for "events_done $total" 60
daemon_alive || fail "the daemon died"

for w in $(seq 1 "$writers"); do
  for i in $(seq 1 "$per_writer"); do
    echo "w$w-$i"
  done
done | LC_ALL=C sort >"$TMP/want"
LC_ALL=C sort "$OUT/handled" >"$TMP/got"
duplicates=$(uniq -d "$TMP/got" | head -5)
[ -z "$duplicates" ] || fail "records handled more than once: $duplicates ..."
diff -u "$TMP/want" "$TMP/got" >"$TMP/diff" || fail "handled records differ from those written: $(head -20 "$TMP/diff")"
[ "$(db "SELECT count(*) FROM rejected")" -eq 0 ] || fail "records were rejected: $(db "SELECT reason FROM rejected LIMIT 5")"
[ "$(db "SELECT count(*) FROM runs WHERE status = 'ok'")" -eq "$total" ] ||
  fail "expected $total ok runs: $(db "SELECT status, count(*) FROM runs GROUP BY status")"
stop_daemon
