#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Security review F9: the dispatcher's window of events waiting to start is bounded in bytes,
# not only in events. 250 pickup records of about 1 MB each (24 values of 42 KB) arrive while
# the handler of their event is held back; the daemon's peak RSS stays under 64 MiB (it was
# 289 MB with a window of 1,024 events), then every event runs once.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3

count=250
limit_kib=$((64 * 1024))

handler_script gate <<'EOF'
while [ ! -e @OUT@/go ]; do sleep 0.1; done
printf '%s\n' "$1" >>@OUT@/handled
EOF

start_daemon
add_handler --event client_update --command "$BIN/gate <new_login_name>" >/dev/null
pickup=$STATE/pickup

value=$(head -c 42000 /dev/zero | tr '\0' v)
params="login_name password contact_name company_name phone fax email address city state_province postal_zip_code country"
# big LOGIN: a client_update record of about 1 MB (each of the 24 values 42 KB).
big() {
  local side name sep
  printf '{"event":"client_update","id":"%s"' "$1"
  for side in old new; do
    printf ',"%s":{' "$side"
    sep=
    for name in $params; do
      if [ "$name" = login_name ]; then
        printf '%s"%s":"%s"' "$sep" "$name" "$1"
      else
        printf '%s"%s":"%s"' "$sep" "$name" "$value"
      fi
      sep=,
    done
    printf '}'
  done
  printf '}\n'
}
big probe >"$TMP/probe.json"
size=$(wc -c <"$TMP/probe.json")
[ "$size" -gt 900000 ] && [ "$size" -lt 1048576 ] || fail "a test record is $size bytes, not about 1 MB"

for ((i = 1; i <= count; i++)); do
  big "w$i" >"$pickup/.w$i.tmp"
  mv "$pickup/.w$i.tmp" "$pickup/w$i.json"
done
wait_for "[ \"\$(db 'SELECT count(*) FROM events')\" -eq $count ]" 240
wait_for '[ -z "$(ls -A "$pickup")" ]' 60
[ "$(db "SELECT count(*) FROM rejected")" -eq 0 ] || fail "records rejected: $(db "SELECT reason FROM rejected LIMIT 3")"

check_peak_memory "$count events of $size bytes waiting" "$limit_kib"

touch "$OUT/go"
wait_for "events_done $count" 240
[ "$(lines "$OUT/handled")" -eq "$count" ] || fail "expected $count runs, got $(lines "$OUT/handled")"
[ "$(sort -u "$OUT/handled" | wc -l)" -eq "$count" ] || fail "an event ran twice"
stop_daemon
