#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 5: the daemon log file can be rotated: after the file is moved away, SIGHUP makes the
# daemon write to a new file at the configured path, and nothing goes to the rotated one.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

printf 'log_file: eventmgrd.log\n' >"$TMP/config.yaml"
chmod 600 "$TMP/config.yaml"
start_daemon --config "$TMP/config.yaml"
log=$STATE/eventmgrd.log
wait_for "grep -q ready '$log'"

mv "$log" "$log.1"
kill -HUP "$DAEMON_PID"
wait_for "[ -e '$log' ]"
em submit domain_create new.domain_name=rotated.example --id after-rotation >/dev/null
wait_for "grep -q 'id after-rotation' '$log'"
! grep -q 'after-rotation' "$log.1" || fail "the rotated file still receives lines"
stop_daemon
