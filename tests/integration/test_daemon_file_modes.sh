#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 12, F16 and explicit modes: whatever the umask, every file and directory eventmgrd
# creates gets its mode explicitly (state dir 0750 and its missing parents 0755, pickup 1730,
# pipe 0620, lock 0640, database and its -wal/-shm at most 0640, run ledger 0600, log file 0640
# and its missing dir 0755); a log file others can read or write (an older eventmgrd created it
# with the umask) is tightened to 0640 with a warning; a log file that is a symbolic link, or that
# another user owns, is refused.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# mode PATH: the permission bits of PATH in octal, as stat prints them (e.g. 640, 1730).
mode() {
  stat -c '%a' "$1"
}

# expect_mode PATH MODE: PATH exists with exactly MODE.
expect_mode() {
  [ -e "$1" ] || fail "$1 was not created"
  [ "$(mode "$1")" = "$2" ] || fail "$1 has mode $(mode "$1"), expected $2 (created under umask $(umask))"
}

# The config and the handler script are made before the umask changes: the daemon refuses a
# config others can write.
printf 'log_file: %s\n' "$TMP/logs/eventmgrd.log" >"$TMP/config.yaml"
chmod 644 "$TMP/config.yaml"
handler_script ok <<'EOF'
exit 0
EOF

# 1. Under umask 000, with a state dir whose parents do not exist yet.
STATE=$TMP/new/parent/state
umask 000
start_daemon --config "$TMP/config.yaml"
add_handler --event client_create --command "$BIN/ok <new_login_name>" >/dev/null
to_pipe '{"event":"client_create","id":"m1","new":{"login_name":"jdoe","contact_name":"J"}}'
wait_for 'events_done 1'
expect_mode "$TMP/new" 755
expect_mode "$TMP/new/parent" 755
expect_mode "$STATE" 750
expect_mode "$STATE/pickup" 1730
expect_mode "$STATE/events.pipe" 620
expect_mode "$STATE/eventmgrd.lock" 640
expect_mode "$STATE/eventmgr.db-ledger" 600
expect_mode "$TMP/logs" 755
expect_mode "$TMP/logs/eventmgrd.log" 640
for db in "$STATE/eventmgr.db" "$STATE/eventmgr.db-wal" "$STATE/eventmgr.db-shm"; do
  [ -e "$db" ] || fail "$db was not created"
  # At most 0640: the database is private to the daemon (and perhaps the pipe group's reading).
  [ $((0$(mode "$db") & ~0640)) -eq 0 ] || fail "$db has mode $(mode "$db") under umask 000, wider than 0640"
done
others=$(find "$TMP/new" "$TMP/logs" -perm -o+w)
[ -z "$others" ] || fail "files others can write after a start under umask 000:
$others"
stop_daemon

# 2. A log file an older eventmgrd left readable and writable by all: tightened, with a warning.
chmod 666 "$TMP/logs/eventmgrd.log"
start_daemon --config "$TMP/config.yaml"
expect_mode "$TMP/logs/eventmgrd.log" 640
grep -qF "log file $TMP/logs/eventmgrd.log had mode 0666; set to 0640" "$TMP/logs/eventmgrd.log" ||
  fail "the daemon did not say it tightened the log file's mode; log: $(tail -n 5 "$TMP/logs/eventmgrd.log")"
stop_daemon
umask 022

# 3. A log file that is a symbolic link: refused, the file it points at untouched.
printf 'root-owned content\n' >"$TMP/victim.txt"
chmod 644 "$TMP/victim.txt"
mv "$TMP/logs/eventmgrd.log" "$TMP/logs/old.log"
ln -s "$TMP/victim.txt" "$TMP/logs/eventmgrd.log"
rc=0
timeout 10 "$EVENTMGRD_BIN" --state-dir "$STATE" --config "$TMP/config.yaml" </dev/null >"$TMP/link.out" 2>"$TMP/link.err" || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "log symlink: eventmgrd did not refuse (status $rc); stderr: $(cat "$TMP/link.err")"
grep -qF "log file $TMP/logs/eventmgrd.log: a symbolic link" "$TMP/link.err" ||
  fail "log symlink: the refusal does not name the log file; stderr: $(cat "$TMP/link.err")"
[ "$(cat "$TMP/victim.txt")" = 'root-owned content' ] && [ "$(mode "$TMP/victim.txt")" = 644 ] ||
  fail "log symlink: the daemon wrote to or changed the file the link points at"
not 1 em --config "$TMP/config.yaml" check
grep -qF "FAIL  log file $TMP/logs/eventmgrd.log: a symbolic link" "$TMP/not.out" ||
  fail "log symlink: eventmgr check does not fail on it: $(cat "$TMP/not.out")"
rm "$TMP/logs/eventmgrd.log"

# 4. A log file another user owns: refused (needs a real user).
if [ "$(id -u)" -eq 0 ]; then
  ATTACKER=emt$$l
  remove_attacker_then_cleanup() {
    local rc=$?
    set +e
    userdel "$ATTACKER" 2>/dev/null
    groupdel "$ATTACKER" 2>/dev/null
    (exit "$rc")
    cleanup
  }
  trap remove_attacker_then_cleanup EXIT
  useradd -M -d /nonexistent -s /usr/sbin/nologin "$ATTACKER" || fail "cannot create the test user $ATTACKER"
  mv "$TMP/logs/old.log" "$TMP/logs/eventmgrd.log"
  chown "$ATTACKER" "$TMP/logs/eventmgrd.log"
  rc=0
  timeout 10 "$EVENTMGRD_BIN" --state-dir "$STATE" --config "$TMP/config.yaml" </dev/null >"$TMP/owner.out" \
    2>"$TMP/owner.err" || rc=$?
  [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "log owner: eventmgrd did not refuse (status $rc); stderr: $(cat "$TMP/owner.err")"
  grep -qF "log file $TMP/logs/eventmgrd.log: owned by uid $(id -u "$ATTACKER") ($ATTACKER)" "$TMP/owner.err" ||
    fail "log owner: the refusal does not name the owner; stderr: $(cat "$TMP/owner.err")"
  not 1 em --config "$TMP/config.yaml" check
  grep -qF "FAIL  log file $TMP/logs/eventmgrd.log: owned by uid $(id -u "$ATTACKER") ($ATTACKER)" "$TMP/not.out" ||
    fail "log owner: eventmgr check does not fail on it: $(cat "$TMP/not.out")"
fi
