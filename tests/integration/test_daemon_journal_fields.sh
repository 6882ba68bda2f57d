#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 17: under systemd (stderr is the journal's stream, JOURNAL_STREAM) the daemon logs to
# the journal over its native protocol, each line once, with structured fields: a failed run
# carries MESSAGE_ID 8693dab2..., EVENTMGR_EVENT, EVENTMGR_EVENT_ID, EVENTMGR_RUN_ID and
# EVENTMGR_HANDLER_ID; a rejected record MESSAGE_ID d15154cc..., EVENTMGR_VIA and
# EVENTMGR_REASON; a hostile value arrives escaped. The journal is the real systemd-journald,
# run here in a journal namespace of its own and read back with journalctl.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd journalctl jq sqlite3
journald=/lib/systemd/systemd-journald
[ -x "$journald" ] || skip "no $journald (scripts/setup.sh installs systemd)"
[ "$(id -u)" -eq 0 ] || skip "journald's namespace sockets and files need root"

ns="emt$$j"
machine=$(cat /etc/machine-id)
journald_pid=
stop_journald() {
  set +e # in the EXIT trap: every step runs
  if [ -n "$journald_pid" ]; then
    kill -TERM "$journald_pid" 2>/dev/null
    wait "$journald_pid" 2>/dev/null
  fi
  rm -rf "/run/systemd/journal.$ns" "/var/log/journal/$machine.$ns" "/run/log/journal/$machine.$ns"
}
trap 'rc=$?; stop_journald; (exit $rc); cleanup' EXIT
"$journald" "$ns" >"$TMP/journald.log" 2>&1 &
journald_pid=$!
wait_for "[ -S /run/systemd/journal.$ns/socket ]" 20

run_failed=8693dab264f7452d9a21a8fa7502eb23
record_rejected=d15154ccfdee467a91c9084fe355a40f
# entries FIELD=VALUE...: the namespace's matching entries, one JSON object per line.
entries() {
  journalctl --namespace="$ns" --no-pager --all -o json "$@" 2>/dev/null || true
}

handler_script ok <<'EOF2'
exit 0
EOF2
handler_script broken <<'EOF2'
exit 3
EOF2
cat >"$TMP/eventmgr.yaml" <<EOF2
log_journal: auto
log_file: $TMP/daemon.log
debug_journal_socket: /run/systemd/journal.$ns/socket
EOF2
chmod 644 "$TMP/eventmgr.yaml"
# stderr is the daemon.log file lib.sh gives it: JOURNAL_STREAM names it, as systemd would.
JOURNAL_STREAM=$(stat -c '%d:%i' "$TMP/daemon.log")
export JOURNAL_STREAM
start_daemon --config "$TMP/eventmgr.yaml"
unset JOURNAL_STREAM
ok=$(add_handler --event client_create --command "$BIN/ok")
broken=$(add_handler --event client_create --command "$BIN/broken")

to_pipe '{"event":"client_create","id":"j1","new":{"login_name":"j1","contact_name":"One"}}'
to_pipe 'not json at all'
to_pipe '{"event":"evil\u001b[2J\u202eevent","id":"j2"}'
wait_for 'events_done 1' 30
wait_for '[ "$(db "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL")" -eq 2 ]' 30

# The failed run, with its ids as the run log has them.
seq=$(db "SELECT seq FROM events")
run=$(db "SELECT id FROM runs WHERE handler_id = $broken")
wait_for "[ -n \"\$(entries MESSAGE_ID=$run_failed)\" ]" 30
entries MESSAGE_ID=$run_failed >"$TMP/failed.json"
[ "$(wc -l <"$TMP/failed.json")" -eq 1 ] || fail "expected one failed-run entry: $(cat "$TMP/failed.json")"
want="client_create $seq $run $broken 4 eventmgrd"
got=$(jq -r '[.EVENTMGR_EVENT, .EVENTMGR_EVENT_ID, .EVENTMGR_RUN_ID, .EVENTMGR_HANDLER_ID, .PRIORITY,
              .SYSLOG_IDENTIFIER] | join(" ")' "$TMP/failed.json")
[ "$got" = "$want" ] || fail "failed-run fields: got '$got', want '$want': $(cat "$TMP/failed.json")"
jq -r .MESSAGE "$TMP/failed.json" | grep -q "^run $run: event $seq (client_create) handler $broken" ||
  fail "failed-run message: $(jq -r .MESSAGE "$TMP/failed.json")"

# Exit 3 is not retried (retry_on: tempfail), so the delivery is a dead letter at once: a line
# of its own with the dead-letter MESSAGE_ID and the same ids.
dead_letter=fe5eeb9d87ac4cfaa986571c7d7769d2
wait_for "[ -n \"\$(entries MESSAGE_ID=$dead_letter)\" ]" 30
entries MESSAGE_ID=$dead_letter >"$TMP/dead.json"
[ "$(wc -l <"$TMP/dead.json")" -eq 1 ] || fail "expected one dead-letter entry: $(cat "$TMP/dead.json")"
got=$(jq -r '[.EVENTMGR_EVENT, .EVENTMGR_EVENT_ID, .EVENTMGR_RUN_ID, .EVENTMGR_HANDLER_ID] | join(" ")' "$TMP/dead.json")
[ "$got" = "client_create $seq $run $broken" ] || fail "dead-letter fields: got '$got': $(cat "$TMP/dead.json")"

# The run that went well: its fields, no MESSAGE_ID.
ok_run=$(db "SELECT id FROM runs WHERE handler_id = $ok")
entries EVENTMGR_RUN_ID="$ok_run" >"$TMP/ok.json"
[ "$(jq -r '[.EVENTMGR_HANDLER_ID, .PRIORITY, (.MESSAGE_ID // "none")] | join(" ")' "$TMP/ok.json")" = "$ok 6 none" ] ||
  fail "ok-run entry: $(cat "$TMP/ok.json")"

# The rejections: their kind and intake; the hostile event name escaped, no control byte.
wait_for "[ \"\$(entries MESSAGE_ID=$record_rejected | wc -l)\" -eq 2 ]" 30
entries MESSAGE_ID=$record_rejected >"$TMP/rejected.json"
[ "$(jq -r '.EVENTMGR_REASON + " " + .EVENTMGR_VIA' "$TMP/rejected.json" | sort | tr '\n' ' ')" = \
  "malformed_json pipe unknown_event pipe " ] || fail "rejection fields: $(cat "$TMP/rejected.json")"
jq -r 'select(.EVENTMGR_REASON == "unknown_event") | .MESSAGE' "$TMP/rejected.json" >"$TMP/hostile.txt"
grep -qF 'evil\x1b[2J\u{202e}event' "$TMP/hostile.txt" || fail "hostile name not escaped: $(cat -v "$TMP/hostile.txt")"
! LC_ALL=C grep -q $'[\x01-\x1f\x7f]' "$TMP/hostile.txt" || fail "a control byte reached the journal"

# A message too big for one datagram (a reload refusing a catalog with thousands of problems,
# one per line) reaches the journal whole, through a memfd, its newlines kept.
mkdir -m 755 "$STATE/events.d"
awk 'BEGIN { print "events:"; for (i = 0; i < 8000; i++) printf "  - {name: bad_event_%d, bogus_key_with_a_long_name: %d}\n", i, i }' \
  >"$STATE/events.d/big.yaml"
kill -HUP "$DAEMON_PID"
big_entry() {
  entries SYSLOG_IDENTIFIER=eventmgrd PRIORITY=3 | jq -r 'select(.MESSAGE | type == "string") | .MESSAGE' |
    grep -c 'bad_event_7999' || true
}
wait_for '[ "$(big_entry)" -ge 1 ]' 30
entries SYSLOG_IDENTIFIER=eventmgrd PRIORITY=3 | jq -r '.MESSAGE' >"$TMP/big.txt"
[ "$(wc -c <"$TMP/big.txt")" -gt 425984 ] || fail "the big message is $(wc -c <"$TMP/big.txt") bytes: not beyond a datagram"
head -n 1 "$TMP/big.txt" | grep -q '^reload: catalog not changed' || fail "big message: $(head -c 200 "$TMP/big.txt")"
[ "$(grep -c 'bad_event_' "$TMP/big.txt")" -ge 8000 ] || fail "the big message was cut: $(tail -c 300 "$TMP/big.txt")"
rm "$STATE/events.d/big.yaml"

# Each line once: the daemon did not write its lines to stderr as well (the log file has them).
[ "$(grep -c 'ready' "$TMP/daemon.log")" -eq 1 ] || fail "lines written twice: $(cat "$TMP/daemon.log")"
wait_for "[ -n \"\$(entries SYSLOG_IDENTIFIER=eventmgrd | jq -r .MESSAGE | grep ' ready: ')\" ]" 20
stop_daemon
echo "ok"
