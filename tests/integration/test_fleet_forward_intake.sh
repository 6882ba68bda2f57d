#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fleet end to end (docs/FLEET.md): a real nats-server -js, three host daemons forwarding
# and one central daemon taking from the stream and running a handler. 3 x 1,000 events;
# nats-server is killed with -9 and restarted in the middle, then one host daemon is. In the
# end the central journal holds exactly the 3,000 events (ids <host>:<seq>, source the host),
# its handler ran once per event, every host's cursor is at its last event, and status, check
# and log --source show it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=fleet_lib.sh
source "$(dirname "$0")/fleet_lib.sh"

per_host=${EVENTMGR_FLEET_EVENTS:-1000}
hosts=(h1 h2 h3)
total=$((per_host * ${#hosts[@]}))

handler_script record <<'EOF2'
printf '%s\n' "$1" >>@OUT@/handled
EOF2

start_nats
write_central_config central
for host in "${hosts[@]}"; do
  write_host_config "$host"
done
start_node central
node_cli central handler add --user "$HUSER" --event client_create --command "$BIN/record <new_login_name>" >/dev/null ||
  fail "handler add on central failed"
for host in "${hosts[@]}"; do
  start_node "$host"
done
# The test holds each host's FIFO open, as the service manager does, so that a writer's
# records wait in the pipe while its daemon is down instead of failing.
exec 7<>"$TMP/h1/events.pipe" 8<>"$TMP/h2/events.pipe" 9<>"$TMP/h3/events.pipe"

writers=()
for host in "${hosts[@]}"; do
  write_events "$host" "$per_host" 5 &
  writers+=($!)
done

central_count() { node_db central "SELECT count(*) FROM events" 2>/dev/null || echo 0; }

# 1. nats-server dies with -9 while events flow, and comes back on the same port and store.
wait_for '[ "$(central_count)" -ge $((total / 10)) ]' 90
kill9_nats
sleep 1
start_nats
echo "nats-server killed and restarted at $(central_count) central events"

# 2. A host daemon dies with -9 in the middle of its stream, and starts again.
wait_for '[ "$(node_db h2 "SELECT count(*) FROM events" 2>/dev/null || echo 0)" -ge $((per_host / 2)) ]' 90
kill9_node h2
sleep 0.5
start_node h2
echo "h2 killed and restarted at $(node_db h2 "SELECT count(*) FROM events") of its events"

for writer in "${writers[@]}"; do
  wait "$writer" || fail "a writer failed"
done
exec 7>&- 8>&- 9>&-

for host in "${hosts[@]}"; do
  wait_for "[ \"\$(node_db $host 'SELECT count(*) FROM events')\" -eq $per_host ]" 60
  wait_for "forwarded_all $host" 90
done
wait_for '[ "$(central_count)" -ge '"$total"' ]' 120
wait_for "[ \"\$(lines \"\$OUT/handled\")\" -ge $total ]" 180
wait_for "[ \"\$(node_db central \"SELECT count(*) FROM events WHERE state <> 'done'\")\" -eq 0 ]" 60

# The central journal: exactly the events the hosts journaled, each once, id <host>:<seq>.
for host in "${hosts[@]}"; do
  node_db "$host" "SELECT '$host:' || seq FROM events"
done | LC_ALL=C sort >"$TMP/want_ids"
node_db central "SELECT submit_id FROM events" | LC_ALL=C sort >"$TMP/got_ids"
diff -u "$TMP/want_ids" "$TMP/got_ids" >"$TMP/ids.diff" || fail "the central journal differs from the hosts': $(head -20 "$TMP/ids.diff")"
[ "$(central_count)" -eq "$total" ] || fail "the central journal holds $(central_count) events, not $total"
[ "$(node_db central "SELECT count(*) FROM events WHERE via <> 'nats' OR source <> substr(submit_id, 1, instr(submit_id, ':') - 1)")" -eq 0 ] ||
  fail "events on central not via nats or with a source other than their host"
[ "$(node_db central "SELECT count(*) FROM rejected")" -eq 0 ] ||
  fail "central rejected records: $(node_db central "SELECT reason FROM rejected LIMIT 3")"

# The handler ran exactly once per event.
for host in "${hosts[@]}"; do
  seq 1 "$per_host" | sed "s/^/$host-/"
done | LC_ALL=C sort >"$TMP/want_runs"
LC_ALL=C sort "$OUT/handled" >"$TMP/got_runs"
diff -u "$TMP/want_runs" "$TMP/got_runs" >"$TMP/runs.diff" || fail "handler runs differ from once per event: $(head -20 "$TMP/runs.diff")"

# status on the central node: per source host, events received and the newest.
node_cli central status --json >"$TMP/central_status.json"
jq -e --argjson n "$per_host" '[.sources[] | select(.received == $n and (.host as $h | .newest_id | startswith($h + ":")))] | map(.host) == ["h1", "h2", "h3"]' \
  "$TMP/central_status.json" >/dev/null || fail "central status: $(cat "$TMP/central_status.json")"
node_cli central status | grep -Eq '^sources: +3 hosts via NATS' || fail "central status does not list the sources"

# log --source HOST: only that host's events' runs.
node_cli central log --source h3 --limit 100000 --json >"$TMP/log_h3.json"
[ "$(jq length "$TMP/log_h3.json")" -eq "$per_host" ] || fail "log --source h3 lists $(jq length "$TMP/log_h3.json") runs, not $per_host"
node_cli central log --source nowhere | grep -q '^no runs match' || fail "log --source of an unknown host lists runs"

# Each host: forwarded everything, and status and check say so.
for host in "${hosts[@]}"; do
  node_cli "$host" status >"$TMP/$host.status"
  grep -Eq '^forward: +connected' "$TMP/$host.status" || fail "$host status: $(cat "$TMP/$host.status")"
  grep -Eq '^lag: +0 events' "$TMP/$host.status" || fail "$host status: $(cat "$TMP/$host.status")"
  node_cli "$host" check >"$TMP/$host.check" || fail "$host check failed: $(cat "$TMP/$host.check")"
  grep -q 'forward: 0 events wait to be forwarded' "$TMP/$host.check" || fail "$host check: $(cat "$TMP/$host.check")"
done

for name in h1 h2 h3 central; do
  stop_node "$name"
done
