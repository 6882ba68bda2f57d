#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4, behaviour 2: hostile values (quotes, $(...), backticks, ;, newlines, globs, UTF-8)
# reach the handler byte for byte, as arguments, inside a word, through %1, in the environment
# and through a `sh -c '...' sh <name>` handler, and nothing they contain is executed.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

marker=/tmp/eventmgr-pwned-$$-$RANDOM
rm -f "$marker" "$marker-2" "$marker-3"

handler_script hostile <<'EOF'
printf '%s' "$1" >@OUT@/arg1
printf '%s' "$2" >@OUT@/arg2
printf '%s' "$3" >@OUT@/arg3
printf '%s' "$4" >@OUT@/arg4
printf '%s' "$NEW_CONTACT_NAME" >@OUT@/env_contact
printf '%s' "$NEW_COMPANY_NAME" >@OUT@/env_company
printf '%s' "$NEW_LOGIN_NAME" >@OUT@/env_login
echo "$#" >@OUT@/argc
echo done >@OUT@/done
EOF

start_daemon
add_handler --event client_create \
  --command "$BIN/hostile <new_contact_name> --name=<new_contact_name> %1 <new_login_name>" \
  --param new_company_name >/dev/null
# A shell handler: the value is injected as "\$1", never into the script text.
add_handler --event client_create --priority low \
  --command "/bin/sh -c 'printf %s \"\$1\" >$OUT/shell_arg; echo done >$OUT/shell_done' sh <new_contact_name>" \
  >/dev/null

# The record, JSON-escaped by hand; the expected bytes below are written independently.
contact_json="O'Brien \\\"Bob\\\" \$(touch $marker) \`touch $marker-2\`; touch $marker-3 && echo hi | cat\\nsecond line\\ttab \\\\ back * ? [a] ~ %1 %% <new_login_name> \${HOME} J\\u00fcrgen 東京"
company_json="  two  spaces  |&;<>()\$\`\\\\\\\"'\\n"
login_json="j'd\\\"o\$(id)e"
record="{\"event\":\"client_create\",\"id\":\"h1\",\"new\":{\"login_name\":\"$login_json\",\"contact_name\":\"$contact_json\",\"company_name\":\"$company_json\"}}"
printf '%s\n' "$record" >"$STATE/events.pipe"

printf '%s' "O'Brien \"Bob\" \$(touch $marker) \`touch $marker-2\`; touch $marker-3 && echo hi | cat
second line	tab \\ back * ? [a] ~ %1 %% <new_login_name> \${HOME} Jürgen 東京" >"$TMP/want.contact"
printf '%s' "  two  spaces  |&;<>()\$\`\\\"'
" >"$TMP/want.company"
printf '%s' "j'd\"o\$(id)e" >"$TMP/want.login"
printf '%s' "--name=" >"$TMP/want.name"
cat "$TMP/want.contact" >>"$TMP/want.name"

wait_for '[ -e "$OUT/done" ] && [ -e "$OUT/shell_done" ]' 30

[ "$(cat "$OUT/argc")" = 4 ] || fail "handler got $(cat "$OUT/argc") arguments, expected 4"
check() { # check FILE WANT DESCRIPTION
  cmp "$OUT/$1" "$TMP/$2" || {
    echo "got:" >&2; od -c "$OUT/$1" | head -20 >&2
    echo "expected:" >&2; od -c "$TMP/$2" | head -20 >&2
    fail "$3 does not arrive byte for byte"
  }
}
check arg1 want.contact "<new_contact_name> as an argument"
check arg2 want.name "a placeholder inside a word"
check arg3 want.company "%1"
check arg4 want.login "<new_login_name> as an argument"
check env_contact want.contact "NEW_CONTACT_NAME"
check env_company want.company "NEW_COMPANY_NAME"
check env_login want.login "NEW_LOGIN_NAME"
check shell_arg want.contact "\"\$1\" of a sh -c handler"

wait_for 'events_done 1' 30
for file in "$marker" "$marker-2" "$marker-3"; do
  if [ -e "$file" ]; then
    rm -f "$file"
    fail "a command inside a value was executed: $file exists"
  fi
done
[ "$(db "SELECT group_concat(status) FROM runs")" = "ok,ok" ] ||
  fail "runs: $(db "SELECT handler_id, status, exit_code, start_error FROM runs")"
stop_daemon
