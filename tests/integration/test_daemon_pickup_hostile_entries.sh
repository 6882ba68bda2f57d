#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Security review F7, F8, F4 (pickup part): hostile entries in the pickup directory.
# - A directory, a symlink, a socket or a FIFO named NAME.json is rejected once (one rejected
#   row, one log line) and removed (an empty directory) or set aside (a non-empty one): later
#   scans and a restart do not reject it again, and `status` does not count it as waiting.
# - A file with more than one link (a hard link, made by root here because
#   fs.protected_hardlinks stops an attacker's own) or owned by a user outside the writers
#   (root, the daemon's user, members of pipe_group) is refused unread: its content is neither
#   journaled nor stored as a rejected record, and the entry is removed.
# - File names with ESC, BEL and newlines reach neither the log nor `status` raw.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3 jq python3 useradd groupadd

[ "$(id -u)" -eq 0 ] || skip "needs root to create users and a group"

GROUP=emt$$g
WRITER=emt$$w
OTHER=emt$$o
remove_accounts() {
  local rc=$?
  set +e # else `(exit $rc)` below ends the trap before cleanup stops the daemon
  userdel "$WRITER" >/dev/null 2>&1
  userdel "$OTHER" >/dev/null 2>&1
  groupdel "$GROUP" >/dev/null 2>&1
  (exit "$rc")
  cleanup
}
trap remove_accounts EXIT
groupadd "$GROUP" || fail "cannot create group $GROUP"
useradd -M -d /nonexistent -s /usr/sbin/nologin -G "$GROUP" "$WRITER" || fail "cannot create user $WRITER"
useradd -M -d /nonexistent -s /usr/sbin/nologin "$OTHER" || fail "cannot create user $OTHER"

cat >"$TMP/eventmgr.yaml" <<EOF
pipe_group: $GROUP
EOF
chmod 644 "$TMP/eventmgr.yaml"

handler_script record <<'EOF'
printf '%s\n' "$1" >>@OUT@/handled
EOF

start_daemon --config "$TMP/eventmgr.yaml"
add_handler --event client_create --command "$BIN/record <new_login_name>" >/dev/null
pickup=$STATE/pickup

record() {
  printf '{"event":"client_create","id":"%s","new":{"login_name":"%s","contact_name":"Pickup %s"}}\n' "$1" "$1" "$1"
}
handled() {
  [ -e "$OUT/handled" ] && grep -qx "$1" "$OUT/handled"
}
rejected() {
  db "SELECT count(*) FROM rejected"
}
# put NAME OWNER: a valid record with id NAME written as NAME.json by OWNER (.tmp, then renamed).
put() {
  record "$1" >"$pickup/.$1.tmp"
  chown "$2" "$pickup/.$1.tmp"
  mv "$pickup/.$1.tmp" "$pickup/$1.json"
}
log_count() {
  grep -c "$1" "$TMP/daemon.log" || true
}

# 1. Non-regular entries: they sit until a scan (inotify does not report them), then go.
hostile=$(printf 'x\033]0;PWNED\007\033[2J\nfake info line\nf.json')
for i in 1 2 3; do
  mkdir "$pickup/z$i.json"
done
mkdir "$pickup/full.json"
echo inside >"$pickup/full.json/file"
ln -s /nonexistent "$pickup/link.json"
ln -s /etc/passwd "$pickup/passwd.json"
ln -s /nonexistent "$pickup/$hostile"
mkfifo "$pickup/fifo.json"
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$pickup/sock.json"
entries=9
put g1 root
wait_for 'handled g1' 30
wait_for '[ "$(rejected)" -ge '$entries' ]' 30
[ "$(rejected)" -eq "$entries" ] ||
  fail "expected $entries rejected rows for the non-regular entries, got: $(db "SELECT reason FROM rejected")"
[ "$(db "SELECT count(*) FROM rejected WHERE reason LIKE '%not a regular file%'")" -eq "$entries" ] ||
  fail "rejected reasons: $(db "SELECT reason FROM rejected")"
lines_after_first=$(wc -l <"$TMP/daemon.log")
not_regular_lines=$(log_count 'not a regular file')
[ "$not_regular_lines" -eq "$entries" ] || fail "expected $entries log lines for the non-regular entries, got $not_regular_lines"

# Nothing named *.json is left; the non-empty directory is set aside, not scanned, not counted.
left=$(find "$pickup" -mindepth 1 -maxdepth 1 -name '*.json' ! -name '.*')
[ -z "$left" ] || fail "entries left in the pickup dir: $left"
[ -e /etc/passwd ] || fail "the symlink's target was removed"
aside=$(find "$pickup" -mindepth 1 -maxdepth 1 -name '.rejected-*')
[ -n "$aside" ] && [ "$(cat "$aside/file")" = inside ] || fail "the non-empty directory was not set aside as .rejected-*: $(ls -A "$pickup")"
em status >"$TMP/status.out"
grep -q '^pickup: *0 files waiting' "$TMP/status.out" || fail "status counts entries as waiting: $(grep pickup "$TMP/status.out")"

# 2. Later scans and a restart reject none of them again.
put g2 root
put g3 "$WRITER"
wait_for 'handled g2 && handled g3' 30
stop_daemon
start_daemon --config "$TMP/eventmgr.yaml"
put g4 root
wait_for 'handled g4' 30
[ "$(rejected)" -eq "$entries" ] || fail "entries rejected again: $(db "SELECT id, reason FROM rejected")"
[ "$(log_count 'not a regular file')" -eq "$entries" ] || fail "entries logged again"
[ "$(log_count 'cannot open pickup file')" -eq 0 ] || fail "open errors logged: $(grep 'cannot open pickup' "$TMP/daemon.log" | head -3)"
[ "$(log_count 'cannot remove')" -eq 0 ] || fail "removal errors logged: $(grep 'cannot remove' "$TMP/daemon.log" | head -3)"

# 3. F4: the hostile name went to the log and the rejected table escaped.
if LC_ALL=C grep -q "$(printf '\033')" "$TMP/daemon.log"; then fail "an ESC byte reached the log"; fi
if LC_ALL=C grep -q "$(printf '\007')" "$TMP/daemon.log"; then fail "a BEL byte reached the log"; fi
if grep -q '^fake info line' "$TMP/daemon.log"; then fail "a forged line reached the log"; fi
grep -qF 'x\x1b]0;PWNED\x07\x1b[2J\x0afake info line' "$TMP/daemon.log" || fail "the hostile name is not in the log, escaped"
if db "SELECT raw || reason FROM rejected" | LC_ALL=C grep -q "$(printf '\033')"; then
  fail "an ESC byte reached the rejected table"
fi
em status >"$TMP/status.out" 2>&1
if LC_ALL=C grep -q "$(printf '\033')" "$TMP/status.out"; then fail "an ESC byte reached status"; fi
echo "first rejection log lines: $lines_after_first; after 4 scans and a restart: $(wc -l <"$TMP/daemon.log")"

# 4. F8: files the writers could not have made are refused unread.
secret_line=root-only-secret-line
printf '%s\n' "$secret_line-1" "$secret_line-2" >"$TMP/rootonly.txt"
chmod 600 "$TMP/rootonly.txt"
before=$(rejected)
ln "$TMP/rootonly.txt" "$pickup/h-hardlink.json"
touch "$pickup/h-hardlink.json"
# A valid record with a second link: refused too, not journaled.
record linked >"$TMP/linked.txt"
ln "$TMP/linked.txt" "$pickup/linked.json"
# A valid record owned by a user outside the writers.
put outsider "$OTHER"
# A member of the group may write.
put member "$WRITER"
wait_for 'handled member' 30
wait_for '[ "$(rejected)" -ge $((before + 3)) ]' 30
[ "$(rejected)" -eq $((before + 3)) ] || fail "expected 3 refused files: $(db "SELECT id, reason FROM rejected WHERE id > $before")"
db "SELECT reason FROM rejected WHERE id > $before ORDER BY id" >"$TMP/reasons"
grep -q "h-hardlink.json has 2 links" "$TMP/reasons" || fail "no link-count reason for the hard link: $(cat "$TMP/reasons")"
grep -q "linked.json has 2 links" "$TMP/reasons" || fail "no link-count reason for the linked record: $(cat "$TMP/reasons")"
grep -q "outsider.json is owned by uid $(id -u "$OTHER"), who is neither root, the daemon's user nor a member of group $GROUP" \
  "$TMP/reasons" || fail "no owner reason for the outsider's file: $(cat "$TMP/reasons")"
if db "SELECT CAST(raw AS TEXT) FROM rejected" | grep -q "$secret_line"; then
  fail "the hard link's content was stored as a rejected record"
fi
if db "SELECT CAST(raw AS TEXT) FROM rejected" | grep -q '"login_name"'; then
  fail "a refused file's record was stored as a rejected record"
fi
[ "$(db "SELECT count(*) FROM events WHERE submit_id IN ('linked', 'outsider')")" -eq 0 ] ||
  fail "a refused file was journaled"
grep -q "$secret_line-1" "$TMP/rootonly.txt" || fail "the hard link's target lost its content"
left=$(find "$pickup" -mindepth 1 -maxdepth 1 -name '*.json')
[ -z "$left" ] || fail "refused files left in the pickup dir: $left"
if grep -q "$secret_line" "$TMP/daemon.log"; then fail "the hard link's content reached the log"; fi
daemon_alive || fail "the daemon died"
stop_daemon
