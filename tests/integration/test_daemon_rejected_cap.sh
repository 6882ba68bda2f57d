#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Rejections are capped (security review F10): a flood of 200,000 one-byte lines through the
# FIFO, and a 1 MiB pickup file of one-byte lines, each store at most a few hundred rejected
# rows (the rest folded into a summary row that says how many records and bytes it holds),
# log a bounded number of lines, and count every rejected record in `status`; a valid record
# sent after each flood is journaled.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3 jq

# The most rejected rows one burst (or one pickup file) may store: the cap (100 rows) and its
# summary rows (one, plus one per 10 s of a flood that goes on).
max_rows=110

start_daemon
pipe=$STATE/events.pipe
record() {
  printf '{"event":"client_delete","id":"%s","old":{"login_name":"%s","contact_name":"V"}}' "$1" "$1"
}
journaled() {
  [ "$(db "SELECT count(*) FROM events WHERE submit_id = '$1'")" -eq 1 ]
}
counted() {
  em status --json | jq -r .rejected
}

# 1. The pipe: yes x | head -n 200000.
log_before=$(lines "$TMP/daemon.log")
{ yes x || true; } | head -n 200000 >"$pipe"
to_pipe "$(record after-flood)"
wait_for 'journaled after-flood' 60
wait_for '[ "$(counted)" -ge 200000 ]' 60
[ "$(counted)" -eq 200000 ] || fail "status counts $(counted) rejected records, expected 200000"
rows=$(db "SELECT count(*) FROM rejected")
echo "pipe flood: $rows rejected rows, log +$(($(lines "$TMP/daemon.log") - log_before)) lines"
[ "$rows" -le "$max_rows" ] || fail "the pipe flood stored $rows rejected rows, more than $max_rows"
db "SELECT reason FROM rejected" | grep -qE '[0-9]+ more records rejected' || fail "no summary row: $(db "SELECT reason FROM rejected" | sort | uniq -c)"
[ $(($(lines "$TMP/daemon.log") - log_before)) -le $((max_rows + 10)) ] ||
  fail "the log grew by $(($(lines "$TMP/daemon.log") - log_before)) lines"

# 2. The pickup dir: a 1 MiB file of one-byte lines.
rows_before=$rows
counted_before=$(counted)
log_before=$(lines "$TMP/daemon.log")
{ yes x || true; } | head -c 1048576 >"$STATE/pickup/.big.tmp"
mv "$STATE/pickup/.big.tmp" "$STATE/pickup/big.json"
wait_for '[ ! -e "$STATE/pickup/big.json" ]' 60
to_pipe "$(record after-pickup)"
wait_for 'journaled after-pickup' 60
[ "$(counted)" -eq $((counted_before + 524288)) ] || fail "status counts $(counted) rejected records, expected $((counted_before + 524288))"
rows=$(($(db "SELECT count(*) FROM rejected") - rows_before))
echo "pickup file: $rows rejected rows, log +$(($(lines "$TMP/daemon.log") - log_before)) lines"
[ "$rows" -le "$max_rows" ] || fail "the pickup file stored $rows rejected rows, more than $max_rows"
[ $(($(lines "$TMP/daemon.log") - log_before)) -le $((max_rows + 10)) ] ||
  fail "the log grew by $(($(lines "$TMP/daemon.log") - log_before)) lines"
daemon_alive || fail "the daemon died"
check_peak_memory "the rejected floods"
stop_daemon
