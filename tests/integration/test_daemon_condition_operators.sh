#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Each condition operator against a real daemon: `==`, `!=`, changed(), `||`, and parentheses
# with `!`, `=~` and empty(). Five handlers on one event, five events: each handler runs for
# exactly the events its condition holds for, and every skip is listed by `eventmgr log
# --skipped` (text and --json) and by `eventmgr received` for its event. `handler test` says
# whether a condition holds, and its --run does not run a handler whose condition does not hold
# unless --force.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3
require_cmd jq

handler_script record <<'EOF2'
printf '%s\n' "$2" >>@OUT@/"$1"
EOF2

start_daemon
ev=client_status_update
eq=$(add_handler --event $ev --command "$BIN/record eq <new_login_name>" --if 'new.status == "16"')
ne=$(add_handler --event $ev --command "$BIN/record ne <new_login_name>" --if 'old.status != new.status')
ch=$(add_handler --event $ev --command "$BIN/record ch <new_login_name>" --if 'changed(contact_name)')
or=$(add_handler --event $ev --command "$BIN/record or <new_login_name>" \
  --if 'new.status == "0" || new.login_name == "vip"')
par=$(add_handler --event $ev --command "$BIN/record par <new_login_name>" \
  --if '!(new.status == "16" || new.status == "0") && (new.login_name =~ "^a" || empty(old.status))')

to_pipe '{"event":"client_status_update","id":"e1","old":{"login_name":"a1","status":"0","contact_name":"A"},"new":{"login_name":"a1","status":"16","contact_name":"A"}}'
to_pipe '{"event":"client_status_update","id":"e2","old":{"login_name":"vip","status":"16","contact_name":"V"},"new":{"login_name":"vip","status":"16","contact_name":"W"}}'
to_pipe '{"event":"client_status_update","id":"e3","old":{"login_name":"a3","status":"0","contact_name":"C"},"new":{"login_name":"a3","status":"2","contact_name":"C"}}'
to_pipe '{"event":"client_status_update","id":"e4","new":{"login_name":"b4","status":"0","contact_name":"D"}}'
to_pipe '{"event":"client_status_update","id":"e5","new":{"login_name":"b5","status":"5","contact_name":"E"}}'
wait_for 'events_done 5' 30

# handled NAME: the logins handler NAME ran for, sorted, on one line.
handled() {
  if [ -e "$OUT/$1" ]; then
    sort "$OUT/$1" | tr '\n' ' ' | sed 's/ $//'
  fi
}
expect() {
  [ "$(handled "$1")" = "$2" ] || fail "$1 ($3) ran for '$(handled "$1")', expected '$2'"
}
expect eq "a1 vip" '=='
expect ne "a1 a3 b4 b5" '!='
expect ch "b4 b5 vip" 'changed()'
expect or "b4 vip" '||'
expect par "a3 b5" 'parentheses'
[ "$(db "SELECT count(*) FROM runs")" -eq 13 ] || fail "runs: $(db "SELECT count(*) FROM runs"), expected 13"

# The same skips through the CLI: 25 decisions, 13 runs, so 12 skips.
em log --skipped --json >"$TMP/skips.json" || fail "log --skipped --json failed"
[ "$(jq length "$TMP/skips.json")" -eq 12 ] || fail "log --skipped --json: $(cat "$TMP/skips.json")"
e2=$(db "SELECT seq FROM events WHERE submit_id = 'e2'")
# e2 skipped exactly ne and par, with their conditions as written.
got=$(jq -c "[.[] | select(.event_id == $e2) | [.handler_id, .if, .id, .event]] | sort" "$TMP/skips.json")
want=$(jq -nc --argjson ne "$ne" --argjson par "$par" \
  '[[$ne, "old.status != new.status", "e2", "client_status_update"],
    [$par, "!(new.status == \"16\" || new.status == \"0\") && (new.login_name =~ \"^a\" || empty(old.status))", "e2", "client_status_update"]] | sort')
[ "$got" = "$want" ] || fail "log --skipped for e2: $got, expected $want"

out=$(em log --skipped --handler "$ch") || fail "log --skipped --handler failed"
[ "$(printf '%s\n' "$out" | grep -c 'changed(contact_name)')" -eq 2 ] || fail "log --skipped --handler $ch: $out"
printf '%s\n' "$out" | head -n 1 | grep -q 'EVENT-ID.*EVENT.*ID.*HANDLER.*IF' || fail "log --skipped header: $out"
out=$(em log --skipped --event client_create) || fail "log --skipped --event failed"
[ "$out" = "no skipped handlers match" ] || fail "log --skipped --event client_create: $out"
not 2 em log --skipped --failed
grep -q -- '--failed does not go with --skipped' "$TMP/not.out" || fail "message: $(cat "$TMP/not.out")"

out=$(em received --id e2) || fail "received --id e2 failed"
printf '%s\n' "$out" | grep -q '3 ok, 2 skipped' || fail "received --id e2 outcome: $out"
printf '%s\n' "$out" | grep -qF "skipped handler $ne: if old.status != new.status did not hold" ||
  fail "received --id e2 detail: $out"
got=$(em received --id e2 --json | jq -c '.[0].skipped | map(.handler_id) | sort')
[ "$got" = "$(jq -nc --argjson a "$ne" --argjson b "$par" '[$a, $b] | sort')" ] || fail "received --json skipped: $got"

# handler test: whether the condition holds for the given values, and --run refuses when not.
out=$(em handler test "$eq" new.login_name=x new.status=16) || fail "handler test (holds) failed"
printf '%s\n' "$out" | grep -qxF 'if: new.status == "16": holds' || fail "handler test (holds): $out"
out=$(em handler test "$eq" new.login_name=x new.status=3) || fail "handler test (does not hold) failed"
printf '%s\n' "$out" | grep -qxF 'if: new.status == "16": does not hold: the handler would be skipped' ||
  fail "handler test (does not hold): $out"
[ "$(em handler test "$eq" new.login_name=x new.status=3 --json | jq -c '[.if, .holds]')" = '["new.status == \"16\"",false]' ] ||
  fail "handler test --json: $(em handler test "$eq" new.login_name=x new.status=3 --json)"
[ "$(em handler test "$ch" old.contact_name=p new.contact_name=q --json | jq .holds)" = true ] ||
  fail "handler test --json changed()"
not 1 em handler test "$eq" new.login_name=nope new.status=3 --run
grep -q 'not run: its condition does not hold' "$TMP/not.out" || fail "--run message: $(cat "$TMP/not.out")"
! grep -qx nope "$OUT/eq" || fail "handler test --run ran a handler whose condition does not hold"
em handler test "$eq" new.login_name=forced new.status=3 --run --force >/dev/null || fail "--run --force failed"
grep -qx forced "$OUT/eq" || fail "handler test --run --force did not run the handler"
stop_daemon
