#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `eventmgr plesk-bridge`, played as the panel would: a second state dir stands for the Plesk
# server, reached through the `plesk` wrapper. install registers, with `plesk bin event_handler
# --create`, handlers that run `eventmgr submit --from-env E`; the test then plays Plesk (reads
# its --list, runs each handler of the event that happened with Plesk's NEW_*/OLD_* environment)
# and sees the events arrive in the first state dir and run its handlers. install is idempotent;
# uninstall removes exactly the bridge's handlers; status lists them.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

COMPAT=$("$EVENTMGR_BIN" compat path) || fail "eventmgr compat path failed"
PANEL=$TMP/panel
# The panel's `plesk` is the wrapper, on its own state dir.
export PATH="$COMPAT:$PATH" EVENTMGR_STATE_DIR=$PANEL

# panel_list: the panel's handlers as Plesk prints them.
panel_list() {
  plesk bin event_handler --list
}
# blocks: the number of handler blocks in the panel's --list.
blocks() {
  panel_list | grep -c '^   Id ' || true
}

# An operator's own Plesk handler, which the bridge must never touch.
plesk bin event_handler --create -event domain_create -priority 10 -user root -command /bin/true >/dev/null ||
  fail "cannot create the operator's handler in the panel"

# eventmgr's own handlers, in the first state dir.
handler_script got-domain <<'EOF2'
printf '%s\n' "$1" >>@OUT@/domain
EOF2
handler_script got-site <<'EOF2'
printf '%s|%s\n' "$NEW_DOMAIN_NAME" "$OLD_DOMAIN_NAME" >>@OUT@/site
EOF2
add_handler --event domain_create --command "$BIN/got-domain <new_domain_name>" >/dev/null
add_handler --event site_update --command "$BIN/got-site" >/dev/null

# install, then again: the second adds nothing.
em plesk-bridge install --events domain_create,site_update,client_create >"$TMP/install1" ||
  fail "plesk-bridge install failed: $(cat "$TMP/install1")"
grep -qx '3 handlers added' "$TMP/install1" || fail "install said: $(cat "$TMP/install1")"
[ "$(blocks)" -eq 4 ] || fail "the panel has $(blocks) handlers after install, expected 4:
$(panel_list)"
em plesk-bridge install --events domain_create,site_update,client_create >"$TMP/install2" ||
  fail "second install failed"
grep -qx '0 handlers added, 3 already present' "$TMP/install2" || fail "second install said: $(cat "$TMP/install2")"
[ "$(blocks)" -eq 4 ] || fail "the second install changed the panel:
$(panel_list)"

em plesk-bridge status >"$TMP/status" || fail "status failed"
for event in domain_create site_update client_create; do
  grep -qE "^[0-9]+ +$event +50 +root " "$TMP/status" || fail "status lacks $event: $(cat "$TMP/status")"
done
[ "$(grep -c 'submit --from-env' "$TMP/status")" -eq 3 ] || fail "status: $(cat "$TMP/status")"

# play_panel EVENT VAR=VALUE...: what Plesk does when EVENT happens: every handler whose Name is
# the event's title runs, by priority, with the event's variables as its environment.
play_panel() {
  local event=$1 title
  shift
  title=$(plesk bin event_handler --list-events | sed -n "s/^$event  *//p")
  [ -n "$title" ] || fail "the panel does not list $event"
  panel_list | awk -v title="$title" '
    $1 == "Id" { id = $2 } $1 == "Name" { sub(/^ *Name +/, ""); name = $0 }
    $1 == "Priority" { prio = $2 }
    $1 == "Command" { sub(/^ *Command +/, ""); if (name == title) print prio "\t" $0 }' |
    sort -rn | cut -f2- >"$TMP/to_run"
  [ -s "$TMP/to_run" ] || fail "no panel handler for $event"
  local -a words
  while IFS= read -r command; do
    read -ra words <<<"$command"
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@" "${words[@]}" </dev/null >/dev/null ||
      fail "the panel's handler '$command' failed"
  done <"$TMP/to_run"
}

# An event while eventmgrd is down (after a first start made the pickup dir) still arrives.
start_daemon
stop_daemon
play_panel domain_create NEW_DOMAIN_NAME=down.example NEW_DOMAIN_PLAN=Gold
start_daemon
play_panel domain_create NEW_DOMAIN_NAME=up.example
play_panel site_update NEW_DOMAIN_NAME=new.example OLD_DOMAIN_NAME=old.example
play_panel client_create NEW_LOGIN_NAME=jdoe NEW_CONTACT_NAME='John Doe'
wait_for '[ "$(lines "$OUT/domain")" -eq 2 ] && [ "$(lines "$OUT/site")" -eq 1 ]' 30
wait_for 'events_done 4' 30
[ "$(sort "$OUT/domain" | tr '\n' ' ')" = "down.example up.example " ] ||
  fail "eventmgr's domain_create handler got: $(cat "$OUT/domain")"
[ "$(cat "$OUT/site")" = "new.example|old.example" ] || fail "site_update handler got: $(cat "$OUT/site")"
[ "$(db "SELECT count(*) FROM events WHERE via = 'pickup'")" -eq 4 ] ||
  fail "the events did not come through the pickup dir: $(db "SELECT event, via FROM events")"
[ "$(db "SELECT count(*) FROM events WHERE event = 'client_create'")" -eq 1 ] || fail "client_create not journaled"
stop_daemon

# uninstall removes exactly the bridge's handlers; the operator's stays.
em plesk-bridge uninstall >"$TMP/uninstall" || fail "uninstall failed: $(cat "$TMP/uninstall")"
grep -qx '3 handlers removed' "$TMP/uninstall" || fail "uninstall said: $(cat "$TMP/uninstall")"
[ "$(blocks)" -eq 1 ] && panel_list | grep -qx '   Command          /bin/true' ||
  fail "uninstall left the wrong handlers:
$(panel_list)"
em plesk-bridge uninstall | grep -qx '0 handlers removed' || fail "a second uninstall removed something"
em plesk-bridge status | grep -q '^no bridge handlers' || fail "status after uninstall: $(em plesk-bridge status)"

# --events all: every event the panel lists and eventmgr knows, once.
em plesk-bridge install >"$TMP/all" || fail "install --events all failed: $(tail -5 "$TMP/all")"
listed=$(plesk bin event_handler --list-events | wc -l)
[ "$(blocks)" -eq $((listed + 1)) ] || fail "install (all) made $(($(blocks) - 1)) handlers for $listed events"
em plesk-bridge install | grep -qx "0 handlers added, $listed already present" || fail "second install (all) added some"
em plesk-bridge uninstall | grep -qx "$listed handlers removed" || fail "uninstall (all) removed another count"
[ "$(blocks)" -eq 1 ] || fail "uninstall (all) left $(blocks) handlers"

# Without a plesk to run, the bridge says so.
PATH=/usr/bin:/bin not 1 "$EVENTMGR_BIN" --state-dir "$STATE" plesk-bridge status
grep -q 'is this a Plesk server' "$TMP/not.out" || fail "no-plesk message: $(cat "$TMP/not.out")"
echo "ok: $TEST_NAME"
