#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A second eventmgrd on a state dir that one already runs on says at once that it waits for the
# lock and for whom, then refuses with the pid and what to do; the first one keeps running.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_daemon
rc=0
timeout 60 "$EVENTMGRD_BIN" --state-dir "$STATE" </dev/null >"$TMP/second.out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "the second daemon exited with $rc: $(cat "$TMP/second.out")"
wait_line=$(grep -n "is locked by another eventmgrd (pid $DAEMON_PID): waiting up to 5 s" "$TMP/second.out" | cut -d: -f1)
refuse_line=$(grep -n "another eventmgrd (pid $DAEMON_PID) already runs on state dir $STATE; stop it first" \
  "$TMP/second.out" | cut -d: -f1)
[ -n "$wait_line" ] || fail "the second daemon does not say that it waits for the lock: $(cat "$TMP/second.out")"
[ -n "$refuse_line" ] || fail "the second daemon does not name the one running: $(cat "$TMP/second.out")"
[ "$wait_line" -lt "$refuse_line" ] || fail "the wait is announced after it: $(cat "$TMP/second.out")"
daemon_alive || fail "the first daemon stopped"
stop_daemon
