#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Review F4: pickup entries named with ESC, BEL, C1 and bidi controls and newlines (a symlink
# the intake cannot open, a directory it rejects) put no raw control character into the
# daemon's log, its log file, `eventmgr status` (the last error), `status --json` or
# `eventmgr rejected`, and forge no log line: every line of the log starts with the time and
# level of a message the daemon wrote, or is an indented continuation.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd python3

# raw_controls FILE: true when FILE holds a C0 control other than newline, DEL, a C1 control
# (UTF-8 C2 80..C2 9F), U+2028-U+202E or U+2066-U+2069.
raw_controls() {
  LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]' "$1"
}

# check_clean WHAT FILE: FILE (the output of WHAT) holds no raw control character.
check_clean() {
  if raw_controls "$2"; then
    fail "$1 holds raw control characters:
$(cat -v "$2" | tail -n 20)"
  fi
}

forged='2026-12-01 04:05:00.000 info run 99: event 1 (client_create) handler 1 as root: ok in 1ms'
hostile=$'x\e]0;PWNED-TITLE\a\e[2J\e[H\xc2\x9b31m\xe2\x80\xae\n'"$forged"$'\nfake.json'

cat >"$TMP/eventmgr.yaml" <<EOF
log_file: $TMP/file.log
EOF
chmod 644 "$TMP/eventmgr.yaml"
start_daemon --config "$TMP/eventmgr.yaml"

# A symlink (never followed: "Too many levels of symbolic links") and a directory.
ln -s /nonexistent "$STATE/pickup/$hostile"
mkdir "$STATE/pickup/d$hostile"
# A valid record makes the intake scan the directory.
printf '%s\n' '{"event":"client_create","id":"t1","new":{"login_name":"t1","contact_name":"T"}}' \
  >"$STATE/pickup/.trigger.tmp"
mv "$STATE/pickup/.trigger.tmp" "$STATE/pickup/trigger.json"
wait_for 'events_done 1' 30
wait_for 'grep -q "PWNED-TITLE" "$TMP/daemon.log"' 30

# --- the log (stderr and the log file) ----------------------------------------------------------
for log in "$TMP/daemon.log" "$TMP/file.log"; do
  wait_for "grep -q PWNED-TITLE '$log'" 10
  check_clean "the daemon log $log" "$log"
  # Only the start of the name: the intake may cut a long name in its messages.
  grep -q 'x\\x1b\]0;PWNED-TITLE\\x07' "$log" ||
    fail "the pickup name is not shown escaped in $log:
$(grep PWNED "$log")"
  [ "$(grep -c "^$forged" "$log" || true)" = 0 ] || fail "a forged line starts a line of $log:
$(grep -n "^$forged" "$log")"
  [ "$(grep -c '^fake\.json' "$log" || true)" = 0 ] || fail "a line of $log starts with the name's last part"
  bad=$(grep -vcE '^([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} (trace|debug|info|warning|error|critical) |  )' "$log" || true)
  [ "$bad" = 0 ] || fail "$log has $bad line(s) that are neither a message nor a continuation:
$(grep -vnE '^([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]{12} [a-z]+ |  )' "$log")"
done

# --- eventmgr status: the last error ------------------------------------------------------------
# The daemon publishes the last error once a second; it is the pickup name's error when that
# was logged as an error.
if grep -qE ' error .*PWNED-TITLE' "$TMP/daemon.log"; then
  wait_for 'em status >"$TMP/status.out" 2>&1; grep -q "^daemon error: last .*PWNED-TITLE" "$TMP/status.out"' 10
fi
em status >"$TMP/status.out" 2>&1 || fail "eventmgr status failed: $(cat -v "$TMP/status.out")"
check_clean "eventmgr status" "$TMP/status.out"
! grep -q "^$forged" "$TMP/status.out" || fail "status shows a forged line: $(cat -v "$TMP/status.out")"
! grep -q '^fake\.json' "$TMP/status.out" || fail "status shows the name's last part on a line of its own"
if grep -q "^daemon error: last .*PWNED-TITLE" "$TMP/status.out"; then
  grep -q '^daemon error: last .*x\\x1b\]0;PWNED-TITLE\\x07' "$TMP/status.out" ||
    fail "status: the last error is not escaped on one line: $(cat -v "$TMP/status.out")"
fi
em status --json >"$TMP/status.json" || fail "eventmgr status --json failed"
check_clean "eventmgr status --json" "$TMP/status.json"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$TMP/status.json" || fail "status --json is not JSON"

# --- eventmgr rejected (the directory may be kept as a rejected record) ---------------------------
em rejected >"$TMP/rejected.out" || fail "eventmgr rejected failed"
check_clean "eventmgr rejected" "$TMP/rejected.out"
em rejected --json >"$TMP/rejected.json" || fail "eventmgr rejected --json failed"
check_clean "eventmgr rejected --json" "$TMP/rejected.json"
for id in $(awk 'NR > 1 { print $1 }' "$TMP/rejected.out"); do
  em rejected show "$id" >"$TMP/rejected_show.out" || fail "rejected show $id failed"
  check_clean "eventmgr rejected show $id" "$TMP/rejected_show.out"
done

rm -rf "$STATE/pickup/$hostile" "$STATE/pickup/d$hostile"
stop_daemon
