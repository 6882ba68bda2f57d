#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 17: with metrics_file set, the daemon writes its figures in the Prometheus text format
# (replaced by rename, mode 0644, no temp file left in the collector's dir) every
# metrics_interval seconds and at the stop: records received by intake, rejected by kind, runs
# by event, handler and result, the run-duration histogram and the backlog gauges; and
# `promtool check metrics` (Debian's prometheus package) passes on it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd promtool

handler_script ok <<'EOF2'
exit 0
EOF2
handler_script broken <<'EOF2'
exit 3
EOF2
handler_script gate <<'EOF2'
while [ ! -e @OUT@/open ]; do sleep 0.05; done
EOF2

mkdir -m 755 "$TMP/textfile"
metrics=$TMP/textfile/eventmgr.prom
cat >"$TMP/eventmgr.yaml" <<EOF2
metrics_file: $metrics
metrics_interval: 1
EOF2
chmod 644 "$TMP/eventmgr.yaml"
start_daemon --config "$TMP/eventmgr.yaml"
ok=$(add_handler --event client_create --command "$BIN/ok")
broken=$(add_handler --event client_create --command "$BIN/broken")
gate=$(add_handler --event domain_create --command "$BIN/gate")

to_pipe '{"event":"client_create","id":"m1","new":{"login_name":"m1","contact_name":"One"}}'
to_pipe '{"event":"client_create","id":"m2","new":{"login_name":"m2","contact_name":"Two"}}'
to_pipe 'this is not json'
to_pipe '{"event":"no_such_event","id":"m3"}'
to_pipe '{"event":"client_create","id":"m4","new":{"contact_name":"No Login"}}'
printf '%s\n' '{"event":"client_create","id":"p1","new":{"login_name":"p1","contact_name":"Pickup"}}' \
  >"$STATE/pickup/.m.tmp"
mv "$STATE/pickup/.m.tmp" "$STATE/pickup/m.json"
# Held by its handler until the test opens the gate: one event in the backlog.
to_pipe '{"event":"domain_create","id":"d1","new":{"domain_name":"example.test"}}'

# has LINE: the metrics file holds LINE exactly.
has() {
  [ -e "$metrics" ] && grep -qxF -- "$1" "$metrics"
}
wait_for "has 'eventmgr_runs_total{event=\"client_create\",handler=\"$broken\",result=\"exit\"} 3'" 30
wait_for "has 'eventmgr_backlog_events 1'" 30
for line in \
  "eventmgr_runs_total{event=\"client_create\",handler=\"$ok\",result=\"ok\"} 3" \
  'eventmgr_records_received_total{via="pipe"} 6' \
  'eventmgr_records_received_total{via="pickup"} 1' \
  'eventmgr_records_rejected_total{reason="malformed_json"} 1' \
  'eventmgr_records_rejected_total{reason="unknown_event"} 1' \
  'eventmgr_records_rejected_total{reason="invalid_parameter"} 1' \
  'eventmgr_run_duration_seconds_count 6' \
  'eventmgr_run_duration_seconds_bucket{le="+Inf"} 6' \
  'eventmgr_pickup_files 0' \
  '# TYPE eventmgr_run_duration_seconds histogram'; do
  has "$line" || fail "the metrics file lacks: $line
$(cat "$metrics")"
done
grep -q '^eventmgr_backlog_oldest_seconds [0-9.e+-]*$' "$metrics" || fail "no backlog age: $(cat "$metrics")"
! has 'eventmgr_backlog_oldest_seconds 0' || fail "the held event has no age"
[ "$(stat -c %a "$metrics")" = 644 ] || fail "metrics file mode $(stat -c %a "$metrics"), want 644"
[ "$(ls -A "$TMP/textfile")" = eventmgr.prom ] || fail "left in the collector's dir: $(ls -A "$TMP/textfile")"
promtool check metrics <"$metrics" >"$TMP/promtool.out" 2>&1 || fail "promtool check metrics failed:
$(cat "$TMP/promtool.out")
$(cat "$metrics")"

# The held run ends, and the daemon stops.
touch "$OUT/open"
wait_for 'events_done 4' 30
stop_daemon

# The stop writes the file once more: with an interval of an hour, only the write at the start
# (before the event) and the one at the stop happen. Counters start again with the process.
sed -i 's/^metrics_interval: .*/metrics_interval: 3600/' "$TMP/eventmgr.yaml"
start_daemon --config "$TMP/eventmgr.yaml"
wait_for "has 'eventmgr_run_duration_seconds_count 0'" 30
to_pipe '{"event":"client_create","id":"m5","new":{"login_name":"m5","contact_name":"Five"}}'
wait_for 'events_done 5' 30
stop_daemon
has "eventmgr_runs_total{event=\"client_create\",handler=\"$ok\",result=\"ok\"} 1" ||
  fail "the file written at the stop lacks the last run: $(cat "$metrics")"
has 'eventmgr_run_duration_seconds_count 2' || fail "the stop's file lacks the durations: $(cat "$metrics")"
promtool check metrics <"$metrics" >"$TMP/promtool.out" 2>&1 || fail "promtool check metrics failed after the stop:
$(cat "$TMP/promtool.out")"
echo "ok"
