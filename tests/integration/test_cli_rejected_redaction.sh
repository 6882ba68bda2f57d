#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Review F11: a record glued behind another writer's stray `"` (or behind garbage with a `{`)
# is rejected and kept whole, and `eventmgr rejected`, `rejected show` and their --json forms
# still show its secret values as *** (a password, and a parameter the catalog marks secret);
# `rejected resubmit` of a valid rejected record still sends the real value to the handler.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd python3

PANEL_PW=RealPanelPW-777
PIN=PinValue-31337

handler_script keep <<'EOF'
printf '%s' "$NEW_PIN" >@OUT@/pin
EOF

start_daemon
pipe=$STATE/events.pipe
# An event the eventmgr CLI knows from events.d but the running daemon does not yet: its
# records are rejected, and `pin` is secret only by the catalog's word.
mkdir -m 755 "$STATE/events.d"
cat >"$STATE/events.d/vault.yaml" <<'EOF'
events:
  - name: ext_vault_set
    description: Vault PIN set (a panel extension)
    group: extension events
    kind: other
    key: domain_name
    params:
      - {name: domain_name, label: Domain Name, required: true}
      - {name: pin, label: PIN, secret: true}
EOF
chmod 644 "$STATE/events.d/vault.yaml"

rejected_count() {
  db "SELECT count(*) FROM rejected"
}
# glue FRAGMENT RECORD: FRAGMENT and RECORD on one line, as a writer's garbage glued to the
# panel's record. The pipe now cuts such a line into the fragment and the record (each taken on
# its own), so the glued text is sent as one line of a pickup file, which is kept whole as one
# rejected record: what the redaction must handle without trusting quote parity.
glue_count=0
glue() {
  glue_count=$((glue_count + 1))
  printf '%s%s\n' "$1" "$2" >"$STATE/pickup/.glued-$glue_count.tmp"
  mv "$STATE/pickup/.glued-$glue_count.tmp" "$STATE/pickup/glued-$glue_count.json"
}

panel='{"event":"client_create","id":"panel-9","new":{"login_name":"jdoe","contact_name":"J","password":"'$PANEL_PW'"}}'
vault='{"event":"ext_vault_set","id":"v1","new":{"domain_name":"a.example","pin":"'$PIN'"}}'
glue '"' "$panel"
wait_for '[ "$(rejected_count)" = 1 ]' 30
glue 'xx{"a' "${panel/panel-9/panel-10}"
wait_for '[ "$(rejected_count)" = 2 ]' 30
glue '"' "$vault"
wait_for '[ "$(rejected_count)" = 3 ]' 30
to_pipe "${vault/\"v1\"/\"v2\"}"
wait_for '[ "$(rejected_count)" = 4 ]' 30
[ "$(db "SELECT count(*) FROM rejected WHERE CAST(raw AS TEXT) LIKE '\"{%$PANEL_PW%'")" = 1 ] ||
  fail "the glued record is not kept whole: $(db "SELECT CAST(raw AS TEXT) FROM rejected")"

# --- no output shows a secret ---------------------------------------------------------------------
{
  em rejected
  em rejected --json
  em rejected --limit 2
  for id in $(db "SELECT id FROM rejected"); do
    em rejected show "$id"
    em rejected show "$id" --json
  done
} >"$TMP/outputs.txt" 2>&1 || fail "a rejected command failed: $(cat "$TMP/outputs.txt")"
if grep -qE "$PANEL_PW|$PIN" "$TMP/outputs.txt"; then
  fail "a secret value is shown:
$(grep -E "$PANEL_PW|$PIN" "$TMP/outputs.txt")"
fi
! grep -qE "$PANEL_PW|$PIN" "$TMP/daemon.log" || fail "a secret value is in the daemon log"

glued_id=$(db "SELECT id FROM rejected WHERE CAST(raw AS TEXT) LIKE '\"{%panel-9%'")
em rejected show "$glued_id" >"$TMP/show.out"
grep -qF '  "{"event":"client_create","id":"panel-9","new":{"login_name":"jdoe","contact_name":"J","password":"***"}}' \
  "$TMP/show.out" || fail "rejected show: the glued record is not shown whole with *** for the password:
$(cat "$TMP/show.out")"
em rejected show "$glued_id" --json | python3 -c '
import json, sys
record = json.load(sys.stdin)
assert record["raw"].endswith("\"password\":\"***\"}}"), record' || fail "rejected show --json of the glued record"
em rejected show "$(db "SELECT id FROM rejected WHERE CAST(raw AS TEXT) LIKE '{%\"v2\"%'")" >"$TMP/show_v2.out"
grep -qF '"pin":"***"' "$TMP/show_v2.out" || fail "rejected show: the catalog's secret is not ***: $(cat "$TMP/show_v2.out")"

# --- resubmit still sends the real value ---------------------------------------------------------
not 2 em rejected resubmit "$glued_id"
grep -q 'still invalid: malformed JSON' "$TMP/not.out" || fail "resubmit of the glued record: $(cat "$TMP/not.out")"
! grep -q "$PANEL_PW" "$TMP/not.out" || fail "resubmit's error shows the password"
kill -HUP "$DAEMON_PID"
# The built-in catalogs' events plus the new file's one, as the CLI counts them.
n_events=$(em events | tail -n +2 | wc -l)
wait_for 'grep -q "reloaded config and catalog ($n_events events)" "$TMP/daemon.log"' 10
add_handler --event ext_vault_set --secrets --command "$BIN/keep" >/dev/null
em rejected resubmit "$(db "SELECT id FROM rejected WHERE CAST(raw AS TEXT) LIKE '{%\"v2\"%'")" >"$TMP/resubmit.out" ||
  fail "rejected resubmit failed: $(cat "$TMP/resubmit.out")"
! grep -q "$PIN" "$TMP/resubmit.out" || fail "resubmit's output shows the PIN"
wait_for '[ -e "$OUT/pin" ]' 30
[ "$(cat "$OUT/pin")" = "$PIN" ] || fail "the resubmitted event gave the handler '$(cat "$OUT/pin")', not the real PIN"

stop_daemon
