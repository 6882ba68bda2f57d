#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 14: a handler with --if runs only for events where its condition holds; a skip gets no
# run row, and the event's row says which handler was skipped and why. A bad condition is
# refused at registration (exit 2) naming the valid parameters.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3

handler_script record <<'EOF'
printf '%s\n' "$1" >>@OUT@/handled
EOF

start_daemon
not 2 em handler add --event client_create --command "$BIN/record <new_login_name>" --if 'new.nope == "1"'
out=$(cat "$TMP/not.out")
case "$out" in *"unknown parameter new.nope at column 1"*"valid: "*new.login_name*) ;; *) fail "message: $out" ;; esac

id=$(add_handler --event client_create --command "$BIN/record <new_login_name>" \
  --if 'new.login_name =~ "^keep" && !empty(new.email)')
to_pipe '{"event":"client_create","id":"a","new":{"login_name":"keep1","contact_name":"A","email":"a@example.com"}}'
to_pipe '{"event":"client_create","id":"b","new":{"login_name":"drop1","contact_name":"B"}}'
to_pipe '{"event":"client_create","id":"c","new":{"login_name":"keep2","contact_name":"C"}}'
wait_for 'events_done 3' 30
[ "$(cat "$OUT/handled")" = keep1 ] || fail "handled: $(cat "$OUT/handled"), expected only keep1"
[ "$(db "SELECT count(*) FROM runs")" -eq 1 ] || fail "a skipped handler has a run row"
b=$(db "SELECT seq FROM events WHERE submit_id = 'b'")
skipped=$(db "SELECT skipped FROM events WHERE seq = $b")
case "$skipped" in *"\"handler\":$id"*'"if":"new.login_name =~'*) ;; *) fail "event b's skipped: $skipped" ;; esac
[ -z "$(db "SELECT skipped FROM events WHERE submit_id = 'a'")" ] || fail "event a records a skip"
# The skips through the CLI: `log --skipped` lists b and c, and `received` says why for b.
out=$(em log --skipped) || fail "log --skipped failed"
[ "$(printf '%s\n' "$out" | grep -c 'client_create')" -eq 2 ] || fail "log --skipped: $out"
printf '%s\n' "$out" | grep -E "^.* $b +client_create +b +$id +new.login_name =~ \"\^keep\" && !empty\(new.email\)\$" >/dev/null ||
  fail "log --skipped row for b: $out"
out=$(em received --id b) || fail "received --id b failed"
printf '%s\n' "$out" | grep -q ' 1 skipped$' || fail "received --id b outcome: $out"
printf '%s\n' "$out" | grep -qxF "skipped handler $id: if new.login_name =~ \"^keep\" && !empty(new.email) did not hold" ||
  fail "received --id b detail: $out"
out=$(em received --id a) || fail "received --id a failed"
! printf '%s\n' "$out" | grep -q skipped || fail "received --id a shows a skip: $out"
stop_daemon
