#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 5: after a known sequence of events, `eventmgr log` (and `log show`, `--failed`,
# `--event`, `--json`, `--follow`) shows each run's result: ok, exit 7, a signal, a time-out,
# a program that does not exist; `eventmgr rejected` shows the refused records and
# `rejected resubmit` sends one again once the catalog knows its event; a secret password
# value appears in no output and not in the daemon's log; `eventmgr prune` removes old rows.
source "$(dirname "$0")/lib.sh"
[ -z "${DEBUG_TRACE:-}" ] || set -x
require_cmd python3

SECRET=S3cr3tValue

handler_script talks <<'EOF'
echo "hello from stdout"
echo "hello from stderr" >&2
EOF
handler_script exits7 <<'EOF'
echo "about to fail" >&2
exit 7
EOF
handler_script killed <<'EOF'
kill -KILL $$
EOF
handler_script slow <<'EOF'
sleep 30
EOF
# Receives the password in $NEW_PASSWORD (--secrets), keeps it for the test, prints only its length.
handler_script secret <<'EOF'
printf '%s' "$NEW_PASSWORD" >@OUT@/secret
echo "password of ${#NEW_PASSWORD} characters"
EOF

start_daemon

h_ok=$(add_handler --event client_create --command "$BIN/talks <new_login_name>")
h_exit=$(add_handler --event client_create --retries 0 --command "$BIN/exits7")
h_signal=$(add_handler --event client_create --retries 0 --command "$BIN/killed")
h_timeout=$(add_handler --event client_create --retries 0 --command "$BIN/slow" --timeout 1)
h_missing=$(add_handler --event client_create --retries 0 --force --command "$BIN/does-not-exist")
h_secret=$(add_handler --event client_create --secrets --command "$BIN/secret")
h_domain=$(add_handler --event domain_create --command "$BIN/talks <new_domain_name>")

# Two accepted events, two rejected records: garbage, and a record with the password and an
# unknown parameter (its raw text is stored; no command may show the password).
to_pipe '{"event":"client_create","id":"c1","new":{"login_name":"jdoe","contact_name":"John Doe","password":"'$SECRET'"}}'
to_pipe '{"event":"domain_create","id":"d1","new":{"domain_name":"example.com"}}'
to_pipe 'this is not JSON at all'
to_pipe '{"event":"client_create","id":"c2","new":{"login_name":"bob","contact_name":"Bob","password":"'$SECRET'","bogus":"1"}}'
# An event the catalog does not know yet: rejected now, resubmitted below.
to_pipe '{"event":"ext_backup_done","id":"b1","new":{"domain_name":"example.com"}}'

wait_for 'events_done 2' 60
wait_for '[ "$(db "SELECT count(*) FROM rejected")" = 3 ]'
[ "$(cat "$OUT/secret")" = "$SECRET" ] || fail "the --secrets handler did not receive the password"

# --- eventmgr log: one line per run, oldest first, result as the last column -------------------
em log >"$TMP/log.out" || fail "eventmgr log failed"
head -n 1 "$TMP/log.out" | grep -q '^TIME  *RUN  *EVENT-ID  *EVENT  *HANDLER  *USER  *DURATION  *RESULT$' ||
  fail "eventmgr log header: $(head -n 1 "$TMP/log.out")"
[ "$(lines "$TMP/log.out")" = 8 ] || fail "eventmgr log shows $(($(lines "$TMP/log.out") - 1)) runs, expected 7:
$(cat "$TMP/log.out")"
# result_of HANDLER_ID: the RESULT text of that handler's line (columns: date, time, run,
# event id, event, handler, user, duration, result...).
result_of() {
  awk -v h="$1" 'NR > 1 && $6 == h { r = $9; for (i = 10; i <= NF; i++) r = r " " $i; print r }' "$TMP/log.out"
}
[ "$(result_of "$h_ok")" = ok ] || fail "handler $h_ok: '$(result_of "$h_ok")', expected ok"
[ "$(result_of "$h_exit")" = "exit 7" ] || fail "handler $h_exit: '$(result_of "$h_exit")', expected exit 7"
[ "$(result_of "$h_signal")" = "signal SIGKILL" ] ||
  fail "handler $h_signal: '$(result_of "$h_signal")', expected signal SIGKILL"
[ "$(result_of "$h_timeout")" = timeout ] || fail "handler $h_timeout: '$(result_of "$h_timeout")', expected timeout"
case "$(result_of "$h_missing")" in
  "not started: "*does-not-exist*) ;;
  *) fail "handler $h_missing: '$(result_of "$h_missing")', expected not started: ... does-not-exist ..." ;;
esac
[ "$(result_of "$h_secret")" = ok ] || fail "handler $h_secret: '$(result_of "$h_secret")', expected ok"
awk 'NR > 1 && $7 != "'"$HUSER"'" { exit 1 }' "$TMP/log.out" || fail "USER column is not $HUSER:
$(cat "$TMP/log.out")"
# Oldest first: the RUN column ascends.
awk 'NR > 2 && $3 <= prev { exit 1 } NR > 1 { prev = $3 }' "$TMP/log.out" || fail "runs not oldest first:
$(cat "$TMP/log.out")"

# --failed: exactly the four failures.
em log --failed >"$TMP/failed.out"
[ "$(lines "$TMP/failed.out")" = 5 ] || fail "log --failed shows $(($(lines "$TMP/failed.out") - 1)) runs, expected 4:
$(cat "$TMP/failed.out")"
! grep -Eq ' ok$' "$TMP/failed.out" || fail "log --failed shows an ok run"

# --event, --handler, --limit, --since.
[ "$(em log --event domain_create | awk 'NR > 1 { print $6 }')" = "$h_domain" ] || fail "log --event domain_create"
[ "$(em log --handler "$h_exit" | awk 'NR > 1 { print $6 }')" = "$h_exit" ] || fail "log --handler $h_exit"
newest_two=$(awk 'NR > 1 { print $3 }' "$TMP/log.out" | sort -n | tail -n 2 | tr '\n' ' ')
[ "$(em log --limit 2 | awk 'NR > 1 { print $3 }' | tr '\n' ' ')" = "$newest_two" ] ||
  fail "log --limit 2 should show the two newest runs ($newest_two): $(em log --limit 2)"
[ "$(em log --since 1h | wc -l)" = 8 ] || fail "log --since 1h"
[ "$(em log --since 2099-01-01)" = "no runs match" ] || fail "log --since 2099-01-01: $(em log --since 2099-01-01)"
not 2 em log --since yesterday

# --json: one document, the fields of the README.
em log --json >"$TMP/log.json"
python3 - "$TMP/log.json" "$h_signal" "$h_timeout" <<'EOF' || fail "log --json: $(cat "$TMP/log.json")"
import json, sys
runs = json.load(open(sys.argv[1]))
assert len(runs) == 7, len(runs)
for run in runs:
    for key in ("id", "event_id", "event", "handler_id", "attempt", "user", "argv", "started_at",
                "finished_at", "duration_ms", "result", "status", "exit_code", "signal",
                "timed_out", "start_error", "stdout_truncated", "stderr_truncated"):
        assert key in run, key
by_handler = {run["handler_id"]: run for run in runs}
killed = by_handler[int(sys.argv[2])]
assert killed["status"] == "signal" and killed["signal"] == 9 and killed["result"] == "signal SIGKILL", killed
slow = by_handler[int(sys.argv[3])]
assert slow["status"] == "timeout" and slow["timed_out"] is True, slow
EOF

# --- eventmgr log show ----------------------------------------------------------------------
run_ok=$(awk -v h="$h_ok" 'NR > 1 && $6 == h { print $3 }' "$TMP/log.out")
em log show "$run_ok" >"$TMP/show.out" || fail "log show $run_ok failed"
grep -q '^  | hello from stdout$' "$TMP/show.out" || fail "log show: no stdout:
$(cat "$TMP/show.out")"
grep -q '^  | hello from stderr$' "$TMP/show.out" || fail "log show: no stderr:
$(cat "$TMP/show.out")"
grep -q "^  \[0\] \"$BIN/talks\"$" "$TMP/show.out" && grep -q '^  \[1\] "jdoe"$' "$TMP/show.out" ||
  fail "log show: argv not one element per line:
$(cat "$TMP/show.out")"
em log show "$run_ok" --json | python3 -c '
import json, sys
run = json.load(sys.stdin)
assert run["stdout"] == "hello from stdout\n" and run["stderr"] == "hello from stderr\n", run
assert run["result"] == "ok" and run["exit_code"] == 0, run' || fail "log show --json"
not 1 em log show 999999
grep -q 'no run 999999 (pruned, or never existed)' "$TMP/not.out" || fail "log show of an unknown run: $(cat "$TMP/not.out")"

# --- eventmgr rejected ----------------------------------------------------------------------
em rejected >"$TMP/rejected.out" || fail "eventmgr rejected failed"
head -n 1 "$TMP/rejected.out" | grep -q '^ID  *TIME  *VIA  *REASON  *RECORD$' || fail "rejected header"
[ "$(lines "$TMP/rejected.out")" = 4 ] || fail "rejected shows $(($(lines "$TMP/rejected.out") - 1)) records, expected 3:
$(cat "$TMP/rejected.out")"
grep -q 'malformed JSON.*this is not JSON at all' "$TMP/rejected.out" || fail "rejected: no garbage record:
$(cat "$TMP/rejected.out")"
grep -q "unknown event 'ext_backup_done'" "$TMP/rejected.out" || fail "rejected: no ext_backup_done record"
em rejected --json | python3 -c 'import json, sys; assert len(json.load(sys.stdin)) == 3' || fail "rejected --json"
garbage_id=$(awk 'NR > 1 && /this is not JSON/ { print $1 }' "$TMP/rejected.out")
bogus_id=$(awk 'NR > 1 && /bogus/ { print $1 }' "$TMP/rejected.out")
backup_id=$(awk 'NR > 1 && /ext_backup_done/ { print $1 }' "$TMP/rejected.out")
em rejected show "$bogus_id" >"$TMP/rejected_show.out"
grep -q 'bogus' "$TMP/rejected_show.out" && grep -q '"password":"\*\*\*"' "$TMP/rejected_show.out" ||
  fail "rejected show: $(cat "$TMP/rejected_show.out")"
em rejected show "$garbage_id" --json | python3 -c '
import json, sys
record = json.load(sys.stdin)
assert record["raw"] == "this is not JSON at all" and record["via"] == "pipe", record' || fail "rejected show --json"

# Resubmit: still invalid -> exit 2 with the reason; valid once the catalog knows the event.
not 2 em rejected resubmit "$garbage_id"
grep -q 'still invalid: malformed JSON' "$TMP/not.out" || fail "resubmit of garbage: $(cat "$TMP/not.out")"
not 2 em rejected resubmit "$backup_id"
mkdir -m 755 "$STATE/events.d"
cat >"$STATE/events.d/backup.yaml" <<'EOF'
events:
  - name: ext_backup_done
    description: Backup finished (a panel extension)
    group: extension events
    kind: other
    key: domain_name
    params:
      - {name: domain_name, label: Domain Name, required: true}
EOF
kill -HUP "$DAEMON_PID"
# The built-in catalogs' events plus the new file's one, as the CLI counts them.
n_events=$(em events | tail -n +2 | wc -l)
wait_for 'grep -q "reloaded config and catalog ($n_events events)" "$TMP/daemon.log"' 10
h_backup=$(add_handler --event ext_backup_done --command "$BIN/talks <new_domain_name>")
em rejected resubmit "$backup_id" >"$TMP/resubmit.out" || fail "rejected resubmit $backup_id failed"
grep -q "resubmitted as b1" "$TMP/resubmit.out" || fail "resubmit output: $(cat "$TMP/resubmit.out")"
wait_for 'events_done 3' 30
[ "$(em log --event ext_backup_done | awk 'NR > 1 { print $6, $9 }')" = "$h_backup ok" ] ||
  fail "the resubmitted event did not run: $(em log --event ext_backup_done)"
em rejected show "$backup_id" | grep -q '^resubmitted  *20' || fail "rejected show: not marked resubmitted"

# --- eventmgr log --follow: a run appears when it finishes; Ctrl-C ends it with 0 ------------
# Started directly (not through the `em` function) so that $! is eventmgr itself.
"$EVENTMGR_BIN" --state-dir "$STATE" log --follow >"$TMP/follow.out" 2>&1 &
follow_pid=$!
kill_on_exit "$follow_pid"
wait_for 'grep -qs RESULT "$TMP/follow.out"' 10
"$EVENTMGR_BIN" --state-dir "$STATE" log --follow --json --limit 1 >"$TMP/follow.json" 2>&1 &
follow_json_pid=$!
kill_on_exit "$follow_json_pid"
wait_for '[ -s "$TMP/follow.json" ]' 10
to_pipe '{"event":"domain_create","id":"d2","new":{"domain_name":"follow.example"}}'
wait_for 'events_done 4' 30
wait_for 'grep -q "domain_create  *$h_domain .* ok$" "$TMP/follow.out"' 10
wait_for '[ "$(lines "$TMP/follow.json")" = 2 ]' 10
kill -INT "$follow_pid"
kill -TERM "$follow_json_pid"
rc=0
wait "$follow_pid" || rc=$?
[ "$rc" = 0 ] || fail "log --follow exited with $rc after SIGINT"
rc=0
wait "$follow_json_pid" || rc=$?
[ "$rc" = 0 ] || fail "log --follow --json exited with $rc after SIGTERM"
python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
runs = [json.loads(line) for line in lines]
assert runs[-1]["event"] == "domain_create" and runs[-1]["result"] == "ok", runs' "$TMP/follow.json" ||
  fail "log --follow --json: $(cat "$TMP/follow.json")"

# --- the secret appears nowhere -------------------------------------------------------------
{
  em log
  em log --json
  em log --failed
  for run in $(em log --json | python3 -c 'import json, sys; print(" ".join(str(r["id"]) for r in json.load(sys.stdin)))'); do
    em log show "$run"
    em log show "$run" --json
  done
  em rejected
  em rejected --json
  for id in "$garbage_id" "$bogus_id" "$backup_id"; do
    em rejected show "$id"
    em rejected show "$id" --json
  done
  cat "$TMP/follow.out" "$TMP/follow.json"
} >"$TMP/all_outputs.txt" 2>&1
[ -s "$TMP/all_outputs.txt" ] || fail "no output collected"
grep -q "password of ${#SECRET} characters" "$TMP/all_outputs.txt" || fail "the secret handler's output is missing"
! grep -q "$SECRET" "$TMP/all_outputs.txt" || fail "the secret value appears in CLI output:
$(grep "$SECRET" "$TMP/all_outputs.txt")"
! grep -q "$SECRET" "$TMP/daemon.log" || fail "the secret value appears in the daemon log"
! db "SELECT argv, stdout, stderr, start_error FROM runs" | grep -q "$SECRET" ||
  fail "the secret value appears in the run records"
# A secret never is in argv (handler add refuses it): the handler got it from its environment.
[ "$(db "SELECT argv FROM runs WHERE handler_id = $h_secret")" = "[\"$BIN/secret\"]" ] ||
  fail "the secret handler's argv: $(db "SELECT argv FROM runs WHERE handler_id = $h_secret")"

# --- eventmgr prune -------------------------------------------------------------------------
out=$(em prune) || fail "eventmgr prune failed"
case "$out" in
  "pruned 0 events, 0 runs and 0 rejected records older than 30d"*) ;;
  *) fail "prune with the 30-day default: $out" ;;
esac
[ "$(db "SELECT count(*) FROM runs")" = 9 ] || fail "runs before prune: $(db "SELECT count(*) FROM runs")"
sleep 2
# --dry-run counts what would go and deletes nothing.
out=$(em prune --older-than 1s --dry-run) || fail "eventmgr prune --dry-run failed"
case "$out" in
  "would prune 4 events, 9 runs and 3 rejected records older than 1s"*"nothing deleted (--dry-run)") ;;
  *) fail "prune --dry-run: $out" ;;
esac
[ "$(db "SELECT count(*) FROM runs")" = 9 ] || fail "prune --dry-run deleted runs: $(db "SELECT count(*) FROM runs")"
[ "$(db "SELECT count(*) FROM rejected")" = 3 ] || fail "prune --dry-run deleted rejected records"
em prune --older-than 1s --json >"$TMP/prune.json" || fail "eventmgr prune --older-than 1s failed"
python3 -c '
import json, sys
counts = json.load(open(sys.argv[1]))
assert counts["events"] == 4 and counts["runs"] == 9 and counts["rejected"] == 3, counts' "$TMP/prune.json" ||
  fail "prune --json: $(cat "$TMP/prune.json")"
[ "$(em log)" = "no runs" ] || fail "runs left after prune: $(em log)"
[ "$(em rejected)" = "no rejected records" ] || fail "rejected records left after prune: $(em rejected)"
not 1 em log show "$run_ok"
not 2 em prune --older-than soon

stop_daemon
