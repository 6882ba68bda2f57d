#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Review finding F1: with `pipe_group` set, the journal (which holds every submitted password,
# all handler output and the rejected records) must stay readable by the daemon's user alone.
# A real member of a real pipe group (the panel) still gets what it needs: `eventmgr submit
# --wait` reports the outcome (journaled as event N, duplicate, rejected with its reason) and
# `eventmgr status` shows the daemon, the backlog, the totals and the last error; both from
# files that hold no secret. A database left group-readable by an older version is made
# private again at the daemon's start.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to create a user and a group"
require_cmd sqlite3 runuser useradd groupadd

PANEL_GROUP=emt$$g
PANEL_USER=emt$$p
users_cleanup() {
  userdel "$PANEL_USER" >/dev/null 2>&1
  groupdel "$PANEL_GROUP" >/dev/null 2>&1
}
# lib.sh's cleanup ends with `exit`, so the accounts go first, then lib.sh cleans up (errexit
# off first: `(exit 1)` would otherwise end the trap before cleanup stops the daemon).
trap 'cleanup_rc=$?; set +e; users_cleanup; (exit "$cleanup_rc"); cleanup' EXIT
groupadd "$PANEL_GROUP"
useradd -M -N -g "$PANEL_GROUP" -d /nonexistent -s /usr/sbin/nologin "$PANEL_USER"

cat >"$TMP/eventmgr.yaml" <<EOF
pipe_group: $PANEL_GROUP
EOF
chmod 644 "$TMP/eventmgr.yaml"
CONFIG=(--config "$TMP/eventmgr.yaml")

# panel ARGS...: eventmgr run by the panel user (a non-root member of the pipe group).
panel() {
  runuser -u "$PANEL_USER" -- "$EVENTMGR_BIN" --state-dir "$STATE" "${CONFIG[@]}" "$@"
}
# panel_can_read FILE: true when the panel user can open FILE for reading.
panel_can_read() {
  runuser -u "$PANEL_USER" -- cat "$1" >/dev/null 2>&1
}
# db_files_private: the database and its -wal and -shm (those present) are 0600, the daemon's.
db_files_private() {
  local f
  for f in "$STATE/eventmgr.db" "$STATE/eventmgr.db-wal" "$STATE/eventmgr.db-shm"; do
    [ -e "$f" ] || continue
    [ "$(stat -c '%a %u %g' "$f")" = "600 0 0" ] || return 1
  done
}

handler_script secret_echo <<'EOF'
printf 'created %s with %s\n' "$1" "$NEW_PASSWORD"
printf '%s %s\n' "$1" "$NEW_PASSWORD" >>@OUT@/handled
EOF

start_daemon "${CONFIG[@]}"
em "${CONFIG[@]}" handler add --user "$HUSER" --event client_create --secrets \
  --command "$BIN/secret_echo <new_login_name>" >/dev/null || fail "handler add failed"

# 1. The panel submits a record with a password and waits for it.
SECRET="S3cr3t-P@ss w0rd-$$-$RANDOM"
panel submit client_create new.login_name=alice new.contact_name=Alice new.password="$SECRET" --id f1-a \
  --wait=30 >"$TMP/submit.out" 2>&1 || fail "submit --wait as the panel user failed: $(cat "$TMP/submit.out")"
grep -qx 'f1-a journaled as event [0-9]*' "$TMP/submit.out" ||
  fail "submit --wait as the panel user did not report the event: $(cat "$TMP/submit.out")"
wait_for '[ "$(lines "$OUT/handled")" -ge 1 ]' 30
grep -qF "$SECRET" "$OUT/handled" || fail "the handler did not get the password"

# The same id again: a duplicate, reported as such.
panel submit client_create new.login_name=alice new.contact_name=Alice --id f1-a --wait=30 \
  >"$TMP/dup.out" 2>&1 || fail "submit --wait of a duplicate failed: $(cat "$TMP/dup.out")"
grep -q '^f1-a was already journaled as event [0-9]* (duplicate id): dropped, nothing runs again' "$TMP/dup.out" ||
  fail "submit --wait did not report the duplicate: $(cat "$TMP/dup.out")"

# A record the daemon rejects (the CLI checks the catalog first, so write the file the way
# submit does, with an event this daemon's catalog lacks): exit 1 and the reason.
receipt_name=rej-$$.receipt.json
printf '%s\n' '{"event":"no_such_event","id":"f1-r"}' >"$TMP/rej"
chmod 644 "$TMP/rej"
runuser -u "$PANEL_USER" -- sh -c "cat '$TMP/rej' >'$STATE/pickup/.$receipt_name.tmp' &&
  mv '$STATE/pickup/.$receipt_name.tmp' '$STATE/pickup/$receipt_name'"
wait_for "[ ! -e '$STATE/pickup/$receipt_name' ]" 30
panel_can_read "$STATE/receipts/$receipt_name" || fail "no receipt for $receipt_name the panel can read"
grep -q '"outcome":"rejected"' "$STATE/receipts/$receipt_name" ||
  fail "the receipt does not say rejected: $(cat "$STATE/receipts/$receipt_name")"

# 2. status as the panel user: running, the totals, from the status file.
wait_for 'panel status --json >"$TMP/status.json" 2>&1 && grep -q "\"accepted\":1," "$TMP/status.json" &&
  grep -q "\"duplicate\":1," "$TMP/status.json" && grep -q "\"rejected\":1," "$TMP/status.json" &&
  grep -q "\"runs_ok_last_hour\":1," "$TMP/status.json"' 30
grep -q '"running":true' "$TMP/status.json" || fail "status as the panel user: not running: $(cat "$TMP/status.json")"
grep -q "\"pid\":$DAEMON_PID," "$TMP/status.json" || fail "status as the panel user: wrong pid: $(cat "$TMP/status.json")"
panel status >"$TMP/status.txt" || fail "status as the panel user exits $? with the daemon running"
grep -q "^daemon:    running (pid $DAEMON_PID)" "$TMP/status.txt" || fail "status text: $(cat "$TMP/status.txt")"
grep -q '^records:   1 accepted, 1 rejected, 1 duplicate$' "$TMP/status.txt" || fail "status text: $(cat "$TMP/status.txt")"

# 3. The panel cannot read the journal, directly or through a copy.
db_files_private || fail "database files not 0600 root: $(ls -ln "$STATE")"
for f in eventmgr.db eventmgr.db-wal eventmgr.db-shm; do
  ! panel_can_read "$STATE/$f" || fail "the panel user can read $f: $(ls -ln "$STATE")"
done
if runuser -u "$PANEL_USER" -- sh -c "d=\$(mktemp -d); cp '$STATE/eventmgr.db' \$d/x.db 2>/dev/null;
    cp '$STATE/eventmgr.db-wal' \$d/x.db-wal 2>/dev/null; sqlite3 \$d/x.db 'select payload from events' 2>/dev/null;
    rm -rf \$d" | grep -qF "$SECRET"; then
  fail "the panel user read the password from a copy of the journal"
fi
# Nothing the panel user can read in the state dir holds the password.
leaks=$(runuser -u "$PANEL_USER" -- grep -rlF -- "$SECRET" "$STATE" 2>/dev/null || true)
[ -z "$leaks" ] || fail "the panel user can read the password in: $leaks"

# 4. The daemon gone: status says so (exit 3) for the panel too.
kill9_daemon
not 3 panel status

# 5. Files left group-readable by an older version are made private at start, with a log line.
for f in eventmgr.db eventmgr.db-wal eventmgr.db-shm; do
  [ -e "$STATE/$f" ] || : >"$STATE/$f"
  chgrp "$PANEL_GROUP" "$STATE/$f"
  chmod 0640 "$STATE/$f"
done
panel_can_read "$STATE/eventmgr.db-wal" || fail "set-up: the -wal is not group-readable"
start_daemon "${CONFIG[@]}"
db_files_private || fail "the daemon left old group-readable database files as they were: $(ls -ln "$STATE")"
for f in eventmgr.db eventmgr.db-wal eventmgr.db-shm; do
  ! panel_can_read "$STATE/$f" || fail "after the restart the panel user can read $f"
  grep -q "made $STATE/$f private: it was mode 0640 group $PANEL_GROUP, now 0600" "$TMP/daemon.log" ||
    fail "no log line for $f made private: $(daemon_log_tail 10)"
done
[ "$(db 'SELECT count(*) FROM events')" = 1 ] || fail "the journal lost its event"
stop_daemon
