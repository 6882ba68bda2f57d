#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The command guard (security review 2026-12, F5 and F6):
# - a placeholder an interpreter would read as code is refused at `handler add`, `update` and
#   `import` (exit 2, the message names the rule), also behind wrappers such as timeout: the
#   review's end-to-end reproducer `/usr/bin/timeout 30 /bin/sh -c <old_login_name>`;
# - a secret placeholder is refused in argv even with --secrets (any local user reads argv in
#   ps); a --secrets handler reading $NEW_PASSWORD still gets it, and ps does not show it;
# - handlers stored under the old rules are not run: each run is "not started" with the reason,
#   the injected command does not run, and `eventmgr check` fails naming the handler.
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3 ps

SECRET="TopSecretPW42-$$"
INJECTED=$OUT/injected-by-value

handler_script record <<'EOF'
printf '%s\n' "$1" >>@OUT@/record
EOF
# Keeps running until the test has looked at ps, so that its command line can be read.
handler_script env_secret <<'EOF'
printf '%s' "$NEW_PASSWORD" >@OUT@/env_secret.tmp
mv @OUT@/env_secret.tmp @OUT@/env_secret
i=0
while [ ! -e @OUT@/release ] && [ "$i" -lt 400 ]; do
  sleep 0.05
  i=$((i + 1))
done
EOF
# What the old rules let in with --secrets: the password as $2.
handler_script sleeper <<'EOF'
printf '%s\n' "$2" >@OUT@/sleeper
sleep 5
EOF

# --- F5: the reproducer and its relatives are refused at registration -----------------------
not 2 em handler add --user "$HUSER" --event client_delete --disabled \
  --command '/usr/bin/timeout 30 /bin/sh -c <old_login_name>'
grep -q 'placeholder <old_login_name> inside the script of sh -c would be parsed as shell code' "$TMP/not.out" ||
  fail "the refusal does not name the rule: $(cat "$TMP/not.out")"
for command in '/usr/bin/nice -n 5 /bin/bash -c <old_login_name>' "/usr/bin/env -S 'sh -c' <old_login_name>" \
  '/usr/bin/python3 -c <old_login_name>' '/usr/bin/flock /tmp/l -c <old_login_name>' \
  '/usr/bin/su nobody -s /bin/sh -c <old_login_name>' '/usr/bin/sed -e <old_login_name>'; do
  not 2 em handler add --user "$HUSER" --event client_delete --disabled --command "$command"
  grep -q 'placeholder <old_login_name>' "$TMP/not.out" || fail "no reason for refusing $command: $(cat "$TMP/not.out")"
done
# The safe forms stay accepted.
safe=$(add_handler --event client_delete --command "/usr/bin/timeout 30 $BIN/record <old_login_name>")
add_handler --event client_delete --disabled --command "/bin/sh -c '$BIN/record \"\$1\"' sh <old_login_name>" >/dev/null

# update and import apply the same rule.
not 2 em handler update "$safe" --command '/usr/bin/timeout 30 /bin/sh -c <old_login_name>'
grep -q 'inside the script of sh -c' "$TMP/not.out" || fail "update: $(cat "$TMP/not.out")"
em handler show "$safe" | grep -qxF "command: /usr/bin/timeout 30 $BIN/record <old_login_name>" ||
  fail "a refused update changed handler $safe"
cat >"$TMP/bad.yaml" <<'EOF'
handlers:
  - event: client_delete
    command: /usr/bin/timeout 30 /bin/sh -c <old_login_name>
  - event: client_update
    secrets: true
    command: /usr/local/bin/h <new_login_name> <new_password>
EOF
not 2 em handler import "$TMP/bad.yaml"
grep -q 'bad.yaml:3: .*inside the script of sh -c' "$TMP/not.out" || fail "import (F5): $(cat "$TMP/not.out")"
grep -q 'bad.yaml:6: .*<new_password> is secret and may not be in the command' "$TMP/not.out" ||
  fail "import (F6): $(cat "$TMP/not.out")"

# --- F6: a secret in argv is refused, even with --secrets ------------------------------------
not 2 em handler add --user "$HUSER" --event client_update --secrets \
  --command "$BIN/sleeper <new_login_name> <new_password>"
grep -q 'parameter <new_password> is secret and may not be in the command: every local user can read a command line (ps); register the handler with --secrets and read \$NEW_PASSWORD from the environment, or use --stdin json' \
  "$TMP/not.out" || fail "the secret refusal: $(cat "$TMP/not.out")"
not 2 em handler add --user "$HUSER" --event client_update --secrets --param new_password --command "$BIN/sleeper x %1"
not 2 em handler update "$safe" --secrets --command "$BIN/record <old_password>"
good=$(add_handler --event client_update --secrets --command "$BIN/env_secret")

# --- handlers stored under the old rules --------------------------------------------------
# As an older eventmgr registered them (the rows are written directly).
sqlite3 -cmd '.timeout 10000' "$STATE/eventmgr.db" "
  INSERT INTO handlers (event, user, command, secrets, created_at, updated_at)
    VALUES ('client_delete', '$HUSER', '/usr/bin/timeout 30 /bin/sh -c <old_login_name>', 0, 0, 0);
  INSERT INTO handlers (event, user, command, secrets, created_at, updated_at)
    VALUES ('client_update', '$HUSER', '$BIN/sleeper <new_login_name> <new_password>', 1, 0, 0);"
old_f5=$(db "SELECT id FROM handlers WHERE command LIKE '%/bin/sh -c <old_login_name>'")
old_f6=$(db "SELECT id FROM handlers WHERE command LIKE '%sleeper%'")
[ -n "$old_f5" ] && [ -n "$old_f6" ] || fail "cannot plant the old handlers"

not 1 em check
grep -q "^FAIL  *handler $old_f5: .*inside the script of sh -c would be parsed as shell code" "$TMP/not.out" ||
  fail "check does not name handler $old_f5: $(cat "$TMP/not.out")"
grep -q "^FAIL  *handler $old_f6: .*<new_password> is secret and may not be in the command" "$TMP/not.out" ||
  fail "check does not name handler $old_f6: $(cat "$TMP/not.out")"

# The refused handlers' runs are not started: a failure this test wants once, not retried.
printf 'retries: 0\n' >"$TMP/eventmgr.yaml"
chmod 644 "$TMP/eventmgr.yaml"
start_daemon --config "$TMP/eventmgr.yaml"
# A pipe-group member's value, as in the review: shell code in a login name.
to_pipe '{"event":"client_delete","id":"inj-1","old":{"login_name":"touch '"$INJECTED"'; echo pwned","contact_name":"x"}}'
to_pipe '{"event":"client_update","id":"upd-2","new":{"login_name":"jdoe","contact_name":"J","password":"'"$SECRET"'"}}'

# The --secrets handler gets the password from its environment; while it runs, nobody sees it.
wait_for '[ -e "$OUT/env_secret" ]' 30
[ "$(cat "$OUT/env_secret")" = "$SECRET" ] || fail "the --secrets handler did not get \$NEW_PASSWORD"
if [ "$(id -u)" -eq 0 ]; then
  runuser -u nobody -- ps -eo args >"$TMP/ps.out"
else
  ps -eo args >"$TMP/ps.out"
fi
grep -q "$BIN/env_secret" "$TMP/ps.out" || fail "ps does not show the running handler: the check below proves nothing"
if grep -qF "$SECRET" "$TMP/ps.out"; then
  fail "the password is readable in ps: $(grep -F "$SECRET" "$TMP/ps.out")"
fi
touch "$OUT/release"

wait_for 'events_done 2' 30
[ ! -e "$INJECTED" ] || fail "the value ran as shell code through a stored handler"
[ ! -e "$OUT/sleeper" ] || fail "the stored handler with a secret in argv ran"
[ "$(cat "$OUT/record")" = "touch $INJECTED; echo pwned" ] || fail "the safe handler did not get the value verbatim"
for id in "$old_f5" "$old_f6"; do
  row=$(db "SELECT status || ': ' || start_error FROM runs WHERE handler_id = $id")
  case $row in
  "not_started: invalid command: "*) ;;
  *) fail "handler $id: run '$row', expected not_started with the reason" ;;
  esac
done
em log --handler "$old_f5" >"$TMP/log.out"
grep -q 'not started: invalid command: placeholder <old_login_name> inside the script of sh -c' "$TMP/log.out" ||
  fail "log does not show why handler $old_f5 did not run: $(cat "$TMP/log.out")"
em log --handler "$good" | grep -q ' ok$' || fail "the --secrets handler did not finish ok"

# --- the CLI's own argv: submit warns when a secret is given on its command line -------------
em submit client_update new.login_name=cli1 new.contact_name=C new.password=CliArgvSecret9 \
  >"$TMP/submit.out" 2>"$TMP/submit.err" || fail "submit failed: $(cat "$TMP/submit.err")"
grep -qF 'eventmgr: warning: secret parameter new.password is on the command line, which every local user can read (ps); send the record on stdin instead: eventmgr submit --record - <record.json' \
  "$TMP/submit.err" || fail "submit does not warn about the password on its command line: $(cat "$TMP/submit.err")"
printf '%s\n' '{"event":"client_update","new":{"login_name":"cli2","contact_name":"C","password":"StdinSecret"}}' |
  em submit --record - >"$TMP/submit.out" 2>"$TMP/submit.err" || fail "submit --record - failed: $(cat "$TMP/submit.err")"
[ ! -s "$TMP/submit.err" ] || fail "submit --record - warns: $(cat "$TMP/submit.err")"
em submit client_update new.login_name=cli3 new.contact_name=C >"$TMP/submit.out" 2>"$TMP/submit.err"
[ ! -s "$TMP/submit.err" ] || fail "submit without a secret warns: $(cat "$TMP/submit.err")"
wait_for 'events_done 5' 30
stop_daemon
