#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `eventmgr log --failed` lists the failures still standing: a failure that a replay of the same
# handler for the same event fixed is left out (`--include-fixed` shows it); a mistyped
# `--event` gets "did you mean", as `handler add` does.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# Fails the first time, succeeds once the marker exists (the outage is over).
handler_script flaky <<'EOF2'
if [ -e @OUT@/fixed ]; then exit 0; fi
exit 9
EOF2
handler_script broken <<'EOF2'
exit 3
EOF2

start_daemon
flaky=$(add_handler --event domain_create --command "$BIN/flaky")
broken=$(add_handler --event domain_create --command "$BIN/broken")
to_pipe '{"event":"domain_create","id":"d-1","new":{"domain_name":"example.com"}}'
wait_for 'events_done 1'
wait_for '[ "$(db "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL")" = 2 ]'
[ "$(em log --failed | tail -n +2 | wc -l)" = 2 ] || fail "before the replay, both failures: $(em log --failed)"

touch "$OUT/fixed"
seq=$(db "SELECT seq FROM events WHERE submit_id = 'd-1'")
em replay "$seq" --handler "$flaky" >/dev/null || fail "replay failed"
wait_for '[ "$(db "SELECT count(*) FROM runs WHERE handler_id = '"$flaky"' AND status = '"'ok'"'")" = 1 ]'

out=$(em log --failed)
[ "$(echo "$out" | tail -n +2 | wc -l)" = 1 ] || fail "after the replay, only the broken handler's failure:
$out"
echo "$out" | grep -Eq " $broken +$HUSER .* exit 3$" || fail "the standing failure is not the broken handler's:
$out"
out=$(em log --failed --include-fixed)
[ "$(echo "$out" | tail -n +2 | wc -l)" = 2 ] || fail "--include-fixed shows both failures:
$out"
not 2 em log --include-fixed

not 2 em log --event domain_created
grep -q "unknown event 'domain_created'; did you mean domain_create" "$TMP/not.out" ||
  fail "a mistyped --event: $(cat "$TMP/not.out")"
[ "$(em log --event client_create)" = "no runs match" ] || fail "a known event without runs"

stop_daemon
