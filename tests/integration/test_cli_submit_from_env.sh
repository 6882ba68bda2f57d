#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 13: `eventmgr submit --from-env EVENT` builds the record from Plesk's handler
# environment (NEW_X/OLD_X for parameter x), keeps every other NEW_*/OLD_* variable in the
# record's `extra` (shown escaped by `log show`, in `stdin: json`, never given to handlers as
# NEW_X or substituted), writes through the pickup directory, and works while eventmgrd is down.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

handler_script site <<'EOF2'
printf '%s|%s|%s\n' "$1" "$NEW_DOMAIN_NAME" "${NEW_SITE_PLAN-unset}" >>@OUT@/site
EOF2
handler_script site_json <<'EOF2'
cat >@OUT@/site_json.$$
EOF2

start_daemon
add_handler --event site_create --command "$BIN/site <new_domain_name>" >/dev/null
add_handler --event site_create --stdin json --command "$BIN/site_json" >/dev/null
# extra values are not parameters: no placeholder can name them.
not 2 em handler add --user "$HUSER" --event site_create --command "$BIN/site <new_site_plan>"

esc=$(printf '\033')
# Plesk's environment for a handler: the event's variables and the process's own.
plesk_env() {
  env -i PATH=/usr/bin:/bin HOME=/root LANG=C "$@"
}

# 1. With the daemon running: the record arrives, unknown variables in extra.
id=$(plesk_env NEW_DOMAIN_NAME=shop.example "NEW_SITE_PLAN=Gold ${esc}[31mred" OLD_DOMAIN_NAME=was.example \
  NEW_FTP_PASSWORD=hunter2-$$ "$EVENTMGR_BIN" --state-dir "$STATE" submit --from-env site_create) ||
  fail "submit --from-env failed with the daemon running"
[[ "$id" == env-* ]] || fail "no generated id printed: $id"
wait_for '[ "$(lines "$OUT/site")" -ge 1 ] && ls "$OUT"/site_json.* >/dev/null 2>&1' 30
[ "$(cat "$OUT/site")" = "shop.example|shop.example|unset" ] ||
  fail "the handler got other values (extra must not reach it as NEW_X): $(cat "$OUT/site")"
json=$(cat "$OUT"/site_json.*)
# The stdin handler (no --secrets) sees the unknown variable, not the secret-looking one.
printf '%s' "$json" | grep -qF '"extra":{' || fail "stdin JSON has no extra: $json"
printf '%s' "$json" | grep -qF '"NEW_SITE_PLAN":"Gold \u001b[31mred"' || fail "stdin JSON lacks NEW_SITE_PLAN: $json"
printf '%s' "$json" | grep -qF '"OLD_DOMAIN_NAME":"was.example"' ||
  fail "an OLD_ value of a create event was dropped instead of kept in extra: $json"
if printf '%s' "$json" | grep -q 'hunter2\|NEW_FTP_PASSWORD\|HOME\|LANG'; then
  fail "stdin JSON holds a secret-looking value or the process environment: $json"
fi
[ "$(db "SELECT count(*) FROM events WHERE submit_id = '$id' AND via = 'pickup'")" -eq 1 ] ||
  fail "the record was not journaled through the pickup directory: $(db "SELECT submit_id, via FROM events")"

run=$(db "SELECT min(id) FROM runs")
em log show "$run" >"$TMP/show"
grep -qF 'NEW_SITE_PLAN=Gold \x1b[31mred' "$TMP/show" || fail "log show does not show extra escaped: $(cat "$TMP/show")"
grep -qF 'NEW_FTP_PASSWORD=***' "$TMP/show" || fail "log show does not mask a secret-looking extra value"
grep -qF 'OLD_DOMAIN_NAME=was.example' "$TMP/show" || fail "log show lacks OLD_DOMAIN_NAME"
if grep -q "$esc\|hunter2\|HOME=" "$TMP/show"; then fail "log show shows a raw escape, a secret or the environment"; fi
em --json log show "$run" >"$TMP/show.json"
grep -qF '"NEW_SITE_PLAN":"Gold \u001b[31mred"' "$TMP/show.json" || fail "log show --json lacks extra: $(cat "$TMP/show.json")"

# 2. With the daemon stopped: exit 0 once the file is in place; it runs after the start.
stop_daemon
plesk_env NEW_DOMAIN_NAME=down.example "$EVENTMGR_BIN" --state-dir "$STATE" submit --from-env site_create \
  >/dev/null 2>"$TMP/down.err" || fail "submit --from-env failed while the daemon is down: $(cat "$TMP/down.err")"
[ "$(find "$STATE/pickup" -name '*.json' | wc -l)" -eq 1 ] || fail "the record is not waiting in pickup"
if grep -q '^down.example' "$OUT/site"; then fail "the event ran while the daemon was down"; fi
start_daemon
wait_for 'grep -q "^down.example|down.example|unset$" "$OUT/site"' 30
wait_for '[ -z "$(ls -A "$STATE/pickup")" ]' 30

# 3. A record the catalog refuses (a required value missing) is delivered all the same and
# kept as rejected, so nothing the panel sent is lost; the exit status says so.
not 1 plesk_env NEW_SITE_PLAN=Bronze "$EVENTMGR_BIN" --state-dir "$STATE" submit --from-env site_create
grep -q "missing required parameter 'new.domain_name'" "$TMP/not.out" || fail "no warning: $(cat "$TMP/not.out")"
wait_for '[ "$(db "SELECT count(*) FROM rejected")" -ge 1 ]' 30
db "SELECT reason FROM rejected" | grep -q "missing required parameter 'new.domain_name'" ||
  fail "the refused record is not kept as rejected: $(db "SELECT reason FROM rejected")"

# 4. Misuse names what is valid.
not 2 em submit --from-env site_create new.domain_name=x.example
not 2 em submit --from-env
stop_daemon
