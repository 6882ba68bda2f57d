#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Nothing a writer sends vanishes, and one writer's mistake never costs another writer's record
# (security review F3): an over-long line without a newline (5000 bytes, then 50 MB) is
# rejected and the next writer's record after it is journaled; a fragment left by a writer
# that stopped mid-record is rejected on its own, whether the next record comes after a pause
# or is glued to it on the same line; a record without its newline is journaled after a short
# quiet time; two complete records glued without a newline are both journaled.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3 python3

start_daemon
pipe=$STATE/events.pipe

# record ID: a valid client_delete record with id ID (no newline).
record() {
  printf '{"event":"client_delete","id":"%s","old":{"login_name":"%s","contact_name":"V"}}' "$1" "$1"
}
# raw_write TEXT: one write() of TEXT, exactly (no newline added), to the FIFO.
raw_write() {
  python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_WRONLY); os.write(fd, sys.argv[2].encode()); os.close(fd)' \
    "$pipe" "$1"
}
journaled() {
  [ "$(db "SELECT count(*) FROM events WHERE submit_id = '$1'")" -eq 1 ]
}
rejected_count() {
  db "SELECT count(*) FROM rejected"
}

# 1. The review's reproducer: 5000 bytes of 'A' without a newline from one writer, then the
#    victim's record from another. The victim is journaled; the 'A's are one rejected row.
python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_WRONLY); os.write(fd, b"A" * 5000)' "$pipe"
sleep 0.3
to_pipe "$(record victim-3)"
to_pipe "$(record victim-4)"
wait_for 'journaled victim-3 && journaled victim-4' 30
wait_for '[ "$(rejected_count)" -ge 1 ]' 30
[ "$(rejected_count)" -eq 1 ] || fail "expected one rejected row for the 'A's, got: $(db "SELECT id, reason FROM rejected")"
[ "$(db "SELECT length(raw) FROM rejected")" -eq 5000 ] ||
  fail "the rejected row does not hold the 5000 'A's: $(db "SELECT length(raw), reason FROM rejected")"
db "SELECT reason FROM rejected" | grep -q '4096' || fail "reason does not name the limit: $(db "SELECT reason FROM rejected")"
db "SELECT reason FROM rejected" | grep -q '5000 bytes' || fail "reason does not count the bytes: $(db "SELECT reason FROM rejected")"

# 2. A 50 MB line without a newline (the writer blocks until the daemon drained it), then a
#    record: journaled; the line is one rejected row that counts its bytes.
before=$(rejected_count)
python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_WRONLY); os.write(fd, b"B" * (50 * 1024 * 1024))' "$pipe"
to_pipe "$(record after-giant)"
wait_for 'journaled after-giant' 60
wait_for '[ "$(rejected_count)" -gt '"$before"' ]' 30
[ "$(rejected_count)" -eq $((before + 1)) ] ||
  fail "expected one rejected row for the 50 MB line, got: $(db "SELECT id, reason FROM rejected WHERE id > $before")"
db "SELECT reason FROM rejected ORDER BY id DESC LIMIT 1" | grep -q '52428800 bytes' ||
  fail "reason does not count the 50 MB: $(db "SELECT reason FROM rejected ORDER BY id DESC LIMIT 1")"
[ "$(db "SELECT length(raw) FROM rejected ORDER BY id DESC LIMIT 1")" -eq 65536 ] || fail "the head of the 50 MB line is not kept"

# 3. A fragment without a newline (a writer that died mid-record), a pause, then a record: the
#    record is journaled, the fragment is rejected alone, byte for byte.
before=$(rejected_count)
raw_write '{"event":"client_cre'
sleep 0.5
to_pipe "$(record after-pause)"
wait_for 'journaled after-pause' 30
wait_for '[ "$(rejected_count)" -gt '"$before"' ]' 30
[ "$(db "SELECT CAST(raw AS TEXT) FROM rejected WHERE id > $before")" = '{"event":"client_cre' ] ||
  fail "the fragment is not rejected alone: $(db "SELECT CAST(raw AS TEXT) FROM rejected WHERE id > $before")"

# 4. A fragment glued to another writer's record on the same line (one write, so no pause can
#    separate them): the record is journaled, only the fragment is rejected.
before=$(rejected_count)
to_pipe "{\"event\":\"client_create\",\"id\":\"frag\",\"new\":{\"login_na$(record glued-1)"
wait_for 'journaled glued-1' 30
wait_for '[ "$(rejected_count)" -gt '"$before"' ]' 30
[ "$(db "SELECT CAST(raw AS TEXT) FROM rejected WHERE id > $before")" = '{"event":"client_create","id":"frag","new":{"login_na' ] ||
  fail "the glued fragment is not rejected alone: $(db "SELECT CAST(raw AS TEXT) FROM rejected WHERE id > $before")"

# 4b. A long fragment (3000 bytes) and a long record (1500 bytes) on one line of over 4096
#     bytes: the record is journaled, the fragment is rejected alone as incomplete.
before=$(rejected_count)
long=$(head -c 1400 /dev/zero | tr '\0' y)
fragment="{\"event\":\"client_create\",\"new\":{\"contact_name\":\"$(head -c 2952 /dev/zero | tr '\0' z)"
to_pipe "$fragment{\"event\":\"client_delete\",\"id\":\"long-rec\",\"old\":{\"login_name\":\"v\",\"contact_name\":\"$long\"}}"
wait_for 'journaled long-rec' 30
wait_for '[ "$(rejected_count)" -gt '"$before"' ]' 30
[ "$(db "SELECT length(raw) FROM rejected WHERE id > $before")" -eq 3000 ] ||
  fail "the long fragment is not rejected alone: $(db "SELECT length(raw), reason FROM rejected WHERE id > $before")"
db "SELECT reason FROM rejected WHERE id > $before" | grep -q 'incomplete record' ||
  fail "the long fragment's reason: $(db "SELECT reason FROM rejected WHERE id > $before")"

# 5. A record without its trailing newline, alone: journaled after the quiet time.
raw_write "$(record no-newline)"
wait_for 'journaled no-newline' 30

# 6. Two complete records, the first without its newline, on one line: both journaled.
before=$(rejected_count)
to_pipe "$(record pair-1)$(record pair-2)"
wait_for 'journaled pair-1 && journaled pair-2' 30
to_pipe "$(record last)"
wait_for 'journaled last' 30
[ "$(rejected_count)" -eq "$before" ] || fail "a glued pair of records was rejected: $(db "SELECT reason FROM rejected WHERE id > $before")"

# 7. A writer that leaves out every newline: 60 records in 60 writes, over 4096 bytes in all,
#    are all journaled.
python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
for i in range(60):
    os.write(fd, ("{\"event\":\"client_delete\",\"id\":\"nonl-%d\",\"old\":{\"login_name\":\"n%d\",\"contact_name\":\"%s\"}}" % (i, i, "c" * 80)).encode())
' "$pipe"
wait_for '[ "$(db "SELECT count(*) FROM events WHERE submit_id LIKE '"'nonl-%'"'")" -eq 60 ]' 30
[ "$(rejected_count)" -eq "$before" ] || fail "records without newlines were rejected: $(db "SELECT reason FROM rejected WHERE id > $before")"

# Nothing vanished: every record sent is journaled exactly once.
[ "$(db "SELECT count(*) FROM events")" -eq 70 ] || fail "expected 70 events, got: $(db "SELECT submit_id FROM events")"
daemon_alive || fail "the daemon died"
stop_daemon
