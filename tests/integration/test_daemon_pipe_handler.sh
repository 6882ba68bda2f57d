#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4, behaviour 1: a plain write of one JSON line to the FIFO runs the handler with the
# argv of its command template, the environment of docs/HANDLERS.md and nothing else, as its user
# (nobody when the test runs as root), in a new session, umask 022, stdin /dev/null.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

handler_script probe <<'EOF'
id -un >@OUT@/user
id >@OUT@/id
printf '[%s]\n' "$@" >@OUT@/args
env | LC_ALL=C sort >@OUT@/env
umask >@OUT@/umask
readlink /proc/$$/fd/0 >@OUT@/stdin
# pid, process group and session (fields 1, 5 and 6 of /proc/PID/stat, after the command name)
stat=$(cat /proc/$$/stat); rest=${stat##*) }
set -- $rest
echo "$$ $3 $4" >@OUT@/session
echo done >@OUT@/done
EOF

start_daemon
handler_id=$(add_handler --event client_create \
  --command "$BIN/probe <new_login_name> <new_contact_name> --company=<new_company_name> <old_login_name> %1" \
  --param new_email)

printf '%s\n' '{"event":"client_create","id":"x1","new":{"login_name":"jdoe","contact_name":"John Doe","company_name":"Example Ltd","email":"jdoe@example.com"}}' \
  >"$STATE/events.pipe"
wait_for '[ -e "$OUT/done" ]' 30

# argv: each placeholder is exactly one argument, an empty value included.
printf '%s\n' '[jdoe]' '[John Doe]' '[--company=Example Ltd]' '[]' '[jdoe@example.com]' >"$TMP/want.args"
diff -u "$TMP/want.args" "$OUT/args" || fail "handler argv differs"

# The handler's user, groups and process attributes.
[ "$(cat "$OUT/user")" = "$HUSER" ] || fail "handler ran as $(cat "$OUT/user"), expected $HUSER"
[ "$(cat "$OUT/id")" = "$(id "$HUSER")" ] || fail "handler identity '$(cat "$OUT/id")', expected '$(id "$HUSER")'"
[ "$(cat "$OUT/umask")" = 0022 ] || fail "handler umask $(cat "$OUT/umask"), expected 0022"
[ "$(cat "$OUT/stdin")" = /dev/null ] || fail "handler stdin is $(cat "$OUT/stdin"), expected /dev/null"
read -r pid pgrp sid <"$OUT/session"
if [ "$pid" != "$pgrp" ] || [ "$pid" != "$sid" ]; then
  fail "handler is not the leader of its own session and process group (pid $pid, pgrp $pgrp, sid $sid)"
fi

# The environment: exactly docs/HANDLERS.md (PWD is added by sh itself). The password is secret and
# the handler has no --secrets, so NEW_PASSWORD/OLD_PASSWORD are absent.
IFS=: read -r _ _ _ _ _ home shell < <(getent passwd "$HUSER")
cwd=/
[ -d "$home" ] && cwd=$home
seq=$(db "SELECT seq FROM events WHERE submit_id = 'x1'")
[ -n "$seq" ] || fail "event x1 is not in the journal"
{
  echo "EVENT=client_create"
  echo "EVENTMGR_ATTEMPT=1"
  echo "EVENTMGR_EVENT_ID=$seq"
  echo "EVENTMGR_HANDLER_ID=$handler_id"
  echo "HOME=$home"
  echo "LANG=C.UTF-8"
  echo "LOGNAME=$HUSER"
  for side in NEW OLD; do
    for param in LOGIN_NAME CONTACT_NAME COMPANY_NAME PHONE FAX EMAIL ADDRESS CITY STATE_PROVINCE \
      POSTAL_ZIP_CODE COUNTRY; do
      value=
      if [ "$side" = NEW ]; then
        case $param in
          LOGIN_NAME) value=jdoe ;;
          CONTACT_NAME) value="John Doe" ;;
          COMPANY_NAME) value="Example Ltd" ;;
          EMAIL) value=jdoe@example.com ;;
        esac
      fi
      echo "${side}_$param=$value"
    done
  done
  echo "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  echo "PWD=$cwd"
  echo "SHELL=$shell"
  echo "USER=$HUSER"
} | LC_ALL=C sort >"$TMP/want.env"
diff -u "$TMP/want.env" "$OUT/env" || fail "handler environment differs from docs/HANDLERS.md"

# The run is recorded as ok.
wait_for 'events_done 1' 30
[ "$(db "SELECT status || ' ' || user FROM runs")" = "ok $HUSER" ] ||
  fail "run record: $(db "SELECT status, exit_code, user, start_error FROM runs")"
stop_daemon
