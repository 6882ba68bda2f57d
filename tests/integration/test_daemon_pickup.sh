#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4, behaviour 5: a pickup file (written as .NAME.tmp, renamed NAME.json) is journaled,
# handled and removed; `eventmgr submit --wait` while the daemon is down exits 3, leaves the
# record in pickup, and the event runs once the daemon starts.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

handler_script record <<'EOF'
printf '%s %s\n' "$1" "$2" >>@OUT@/handled
EOF

start_daemon
add_handler --event client_create --command "$BIN/record <new_login_name> <new_contact_name>" >/dev/null

# 1. A file with two records, one of them bigger than a pipe record may be.
big=$(head -c 6000 /dev/zero | tr '\0' y)
{
  printf '%s\n' '{"event":"client_create","id":"p1","new":{"login_name":"p1","contact_name":"Pickup One"}}'
  printf '%s\n' "{\"event\":\"client_create\",\"id\":\"p2\",\"new\":{\"login_name\":\"p2\",\"contact_name\":\"$big\"}}"
} >"$STATE/pickup/.batch1.tmp"
mv "$STATE/pickup/.batch1.tmp" "$STATE/pickup/batch1.json"

wait_for '[ "$(lines "$OUT/handled")" -ge 2 ]' 30
wait_for '[ ! -e "$STATE/pickup/batch1.json" ]' 30
printf '%s\n' "p1 Pickup One" "p2 $big" >"$TMP/want"
LC_ALL=C sort "$OUT/handled" | diff -q "$TMP/want" - >/dev/null || fail "pickup records not handled as written: $(cut -c1-60 "$OUT/handled")"
[ -z "$(ls -A "$STATE/pickup")" ] || fail "pickup dir not empty: $(ls -A "$STATE/pickup")"

# 2. --wait with a running daemon returns once the record is journaled.
em submit client_create new.login_name=s1 new.contact_name="Submit One" --id s1 --wait=30 >/dev/null ||
  fail "submit --wait failed with the daemon running"
wait_for '[ "$(lines "$OUT/handled")" -ge 3 ]' 30
grep -qx "s1 Submit One" "$OUT/handled" || fail "the event of submit --wait was not handled"

# 3. --wait while the daemon is down: exit 3, the record waits in pickup.
stop_daemon
not 3 em submit client_create new.login_name=d1 new.contact_name="While Down" --id d1 --wait=1
[ "$(find "$STATE/pickup" -name '*.json' | wc -l)" -eq 1 ] ||
  fail "the record of the timed-out submit is not waiting in pickup: $(ls -A "$STATE/pickup")"
if grep -q '^d1 ' "$OUT/handled"; then fail "the event ran while the daemon was down"; fi

start_daemon
wait_for 'grep -qx "d1 While Down" "$OUT/handled"' 30
wait_for '[ -z "$(ls -A "$STATE/pickup")" ]' 30
[ "$(lines "$OUT/handled")" -eq 4 ] || fail "expected 4 handled events: $(cut -c1-60 "$OUT/handled")"
stop_daemon
