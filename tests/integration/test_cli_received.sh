#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `eventmgr received` lists every event the daemon journaled with what became of it: the events
# no handler matched too (they appear in no run), with filters, and with values from outside
# shown escaped.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

handler_script ok <<'EOF2'
exit 0
EOF2
handler_script fails <<'EOF2'
exit 4
EOF2

start_daemon
add_handler --event domain_create --command "$BIN/ok <new_domain_name>" >/dev/null
add_handler --event domain_create --command "$BIN/fails" >/dev/null

to_pipe '{"event":"domain_create","id":"d-1","new":{"domain_name":"example.com"}}'
# No handler for client_create: journaled done, no run.
to_pipe '{"event":"client_create","id":"c-1","source":"panel","new":{"login_name":"jdoe","contact_name":"J"}}'
# A value with a terminal escape and a newline: shown escaped.
to_pipe '{"event":"client_create","id":"c-2","new":{"login_name":"evil\u001b[2J\nforged","contact_name":"E"}}'
wait_for 'events_done 3'
wait_for '[ "$(db "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL")" = 2 ]'

out=$(em received) || fail "eventmgr received failed"
echo "$out" | grep -E '^[0-9-]+ [0-9:]+ +[0-9]+ +domain_create +example\.com +d-1 +pipe +1 ok, 1 failed$' >/dev/null ||
  fail "the domain_create line is missing or wrong:
$out"
echo "$out" | grep -E ' client_create +jdoe +c-1 +pipe +no handler$' >/dev/null ||
  fail "the unhandled client_create is not shown as 'no handler':
$out"
if printf '%s' "$out" | LC_ALL=C grep -q $'\x1b'; then
  fail "a raw ESC reached the output"
fi
echo "$out" | grep -F 'evil\x1b[2J\x0aforged' >/dev/null || fail "the escaped value is not shown:
$out"
[ "$(echo "$out" | wc -l)" = 4 ] || fail "expected a header and 3 rows:
$out"

# Filters.
out=$(em received --unhandled)
[ "$(echo "$out" | tail -n +2 | wc -l)" = 2 ] || fail "--unhandled: $out"
out=$(em received --event domain_create)
[ "$(echo "$out" | tail -n +2 | wc -l)" = 1 ] || fail "--event: $out"
out=$(em received --id c-1 --source panel)
echo "$out" | grep -q ' c-1 ' || fail "--id/--source: $out"
[ "$(em received --source nobody-sent-this)" = "no received events match" ] || fail "an empty filter result"
[ "$(em received --pending)" = "no received events match" ] || fail "--pending with nothing pending"

# JSON: the counts and the object.
em --json received --event domain_create >"$TMP/received.json" || fail "--json received failed"
python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 1, rows
r = rows[0]
assert r["event"] == "domain_create" and r["object"] == "example.com" and r["id"] == "d-1", r
assert r["runs"] == {"ok": 1, "failed": 1, "interrupted": 0, "running": 0}, r
assert r["state"] == "done", r' "$TMP/received.json" || fail "received --json: $(cat "$TMP/received.json")"

# Bad arguments name what is valid.
not 2 em received --event domain_created
grep -q "did you mean domain_create" "$TMP/not.out" || fail "a mistyped event: $(cat "$TMP/not.out")"
not 2 em received --via fax
grep -q "give pipe, pickup, cli, replay" "$TMP/not.out" || fail "a bad --via: $(cat "$TMP/not.out")"
not 2 em received --pending --unhandled

stop_daemon
