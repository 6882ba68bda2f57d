#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Dead letters (docs/RELIABILITY.md): exit 1 is retried only with --retry-on failure; a delivery
# whose retries are spent is a dead letter, shown by eventmgr dead and counted by status, no
# longer holding back its key; `dead retry` runs it again (a new attempt), `handler update
# --command ... --retry-dead` runs a handler's dead letters with the fixed command, `dead drop`
# marks one handled; check fails on a dead letter older than a day.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

handler_script fails <<'EOF'
echo "$1 $EVENTMGR_ATTEMPT" >>@OUT@/fails.log
exit 1
EOF
handler_script fixed <<'EOF'
echo "$1 $EVENTMGR_ATTEMPT" >>@OUT@/fixed.log
EOF

start_daemon
# Exit 1 with the default retry_on (tempfail): not retried, a dead letter at once.
plain=$(add_handler --event domain_status_update --command "$BIN/fails <new_domain_name>" --retry-delays 1s)
# With --retry-on failure: retried twice, 1 s apart, then dead.
eager=$(add_handler --event domain_create --command "$BIN/fails <new_domain_name>" --retries 2 --retry-on failure \
  --retry-delays 1s)
em handler show "$eager" >"$TMP/show"
grep -qx 'retries: 2' "$TMP/show" && grep -qx 'retry_on: failure' "$TMP/show" && grep -qx 'retry_delays: 1s' "$TMP/show" ||
  fail "handler show lacks the retry settings: $(cat "$TMP/show")"
grep -qx 'retries: 5 (default)' <(em handler show "$plain") || fail "handler show does not name the default retries"

to_pipe '{"event":"domain_status_update","id":"p1","new":{"domain_name":"plain.example","status":"1"}}'
to_pipe '{"event":"domain_create","id":"e1","new":{"domain_name":"eager.example"}}'
wait_for 'events_done 2' 30
# A dead letter no longer holds back its key: the domain's next event runs.
to_pipe '{"event":"domain_status_update","id":"p2","new":{"domain_name":"plain.example","status":"2"}}'
wait_for 'events_done 3' 30

[ "$(grep -c '^plain.example 1$' "$OUT/fails.log")" = 2 ] || fail "exit 1 was retried without --retry-on failure: $(cat "$OUT/fails.log")"
[ "$(grep '^eager.example' "$OUT/fails.log" | tr '\n' ' ')" = "eager.example 1 eager.example 2 eager.example 3 " ] ||
  fail "--retry-on failure --retries 2 did not give attempts 1-3: $(cat "$OUT/fails.log")"

em --json dead >"$TMP/dead.json"
python3 - "$TMP/dead.json" "$plain" "$eager" <<'EOF' || fail "eventmgr dead --json: $(cat "$TMP/dead.json")"
import json, sys
rows = json.load(open(sys.argv[1]))
plain, eager = int(sys.argv[2]), int(sys.argv[3])
by_handler = {}
for row in rows:
    by_handler.setdefault(row["handler_id"], []).append(row)
assert len(by_handler[plain]) == 2, rows
assert len(by_handler[eager]) == 1, rows
e = by_handler[eager][0]
assert e["attempts"] == 3 and e["last_attempt"] == 3 and e["last_result"] == "exit 1" and e["event"] == "domain_create", e
assert e["first_failed_at"] <= e["last_failed_at"], e
EOF
em dead | grep -q 'exit 1' || fail "eventmgr dead does not show the last result"
last_run=$(db "SELECT last_run_id FROM deliveries WHERE handler_id = $eager")
em log show "$last_run" | grep -q 'none left: dead letter' || fail "log show does not say the run left a dead letter"
[ "$(em --json log show "$last_run" | python3 -c 'import json,sys; print(json.load(sys.stdin)["delivery"]["state"])')" = dead ] ||
  fail "log show --json lacks the delivery's state"
em status | grep -q '^dead: *3 dead letters' || fail "status does not count the dead letters: $(em status)"
[ "$(em --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["dead_letters"])')" = 3 ] ||
  fail "status --json does not count the dead letters"

# dead retry ID: one new attempt (and new retries, which this one does not need).
id=$(db "SELECT id FROM deliveries WHERE handler_id = $eager")
em handler update "$eager" --retries 0 >/dev/null
em dead retry "$id" | grep -q "queued dead letter $id" || fail "dead retry did not queue $id"
wait_for "[ \"\$(grep -c '^eager.example' \"\$OUT/fails.log\")\" = 4 ]" 30
wait_for "[ \"\$(db \"SELECT count(*) FROM deliveries WHERE handler_id = $eager AND state = 'dead'\")\" = 1 ]" 30
[ "$(grep '^eager.example' "$OUT/fails.log" | tail -n 1)" = "eager.example 4" ] || fail "dead retry did not run a new attempt 4"
not 1 em dead retry 999999

# The fix-then-recover loop: a new command, and the handler's dead letters run with it.
em handler update "$plain" --command "$BIN/fixed <new_domain_name>" >"$TMP/update.out"
grep -q "handler $plain has 2 dead letters" "$TMP/update.out" || fail "update --command did not offer the dead letters: $(cat "$TMP/update.out")"
em handler update "$plain" --retry-dead | grep -q '2 dead letters of handler' || fail "update --retry-dead did not queue them"
wait_for "[ \"\$(lines \"\$OUT/fixed.log\")\" = 2 ]" 30
wait_for "[ \"\$(db \"SELECT count(*) FROM deliveries WHERE handler_id = $plain\")\" = 0 ]" 30

# drop, then check: fine; an old dead letter fails check.
em dead drop --all | grep -q "dropped dead letter $id" || fail "dead drop --all did not drop $id"
[ "$(em --json dead)" = "[]" ] || fail "a dropped dead letter is still listed"
em check >/dev/null || fail "check fails without old dead letters: $(em check)"
stop_daemon
sqlite3 "$STATE/eventmgr.db" "UPDATE deliveries SET state = 'dead', last_failed_at = last_failed_at - 2 * 86400000"
not 1 em check
grep -q 'dead letter.* older than a day' "$TMP/not.out" || fail "check does not name the old dead letter: $(cat "$TMP/not.out")"
