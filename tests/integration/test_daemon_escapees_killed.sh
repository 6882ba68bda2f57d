#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Security review F13: descendants that leave the handler's session or process group
# (`setsid`, setpgid(0, 0)) are killed when the run ends, after a normal exit and after a
# time-out: no process of a run outlives it. The daemon runs each lane's runs in a cgroup v2
# leaf and kills it (cgroup.kill) at each run's end; where it cannot (no cgroup v2, not root)
# it says so in its log and the test is skipped.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3
[ "$(id -u)" -eq 0 ] || skip "needs root: the daemon makes cgroups for the runs"
[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 for the handler's setpgid child"

# escape MODE: leaves `setsid sleep 1001` and a python child in its own process group, writes
# their pids, then exits (MODE exit) or sleeps past its time-out (MODE hang).
handler_script escape <<'EOF'
mode=$1
setsid sleep 1001 </dev/null >/dev/null 2>&1 &
echo $! >@OUT@/$mode.setsid
/usr/bin/python3 -c 'import os, time; os.setpgid(0, 0); time.sleep(1003)' </dev/null >/dev/null 2>&1 &
echo $! >@OUT@/$mode.setpgid
sleep 0.5 # let both leave the group before the handler ends
echo $$ >@OUT@/$mode.handler
[ "$mode" = hang ] && sleep 300
exit 0
EOF

cat >"$TMP/eventmgr.yaml" <<'EOF'
kill_grace: 1
retries: 0 # its failed runs are the point here, not their retries (test_retry_*)
EOF
chmod 644 "$TMP/eventmgr.yaml"
start_daemon --config "$TMP/eventmgr.yaml"
if grep -q "no cgroup for the runs" "$TMP/daemon.log"; then
  skip "$(grep "no cgroup for the runs" "$TMP/daemon.log" | tail -n 1)"
fi
add_handler --event client_create --command "$BIN/escape exit" >/dev/null
add_handler --event domain_create --timeout 2 --command "$BIN/escape hang" >/dev/null

to_pipe '{"event":"client_create","id":"e1","new":{"login_name":"e1","contact_name":"Escape"}}'
to_pipe '{"event":"domain_create","id":"e2","new":{"domain_name":"escape.example"}}'

for mode in exit hang; do
  wait_for "[ -s \"\$OUT/$mode.handler\" ]" 30
  for kind in setsid setpgid; do
    kill_on_exit "$(cat "$OUT/$mode.$kind")"
  done
done
wait_for 'events_done 2' 30
status=$(db "SELECT group_concat(status, ' ') FROM (SELECT status FROM runs ORDER BY id)")
[ "$status" = "ok timeout" ] || fail "runs recorded as '$status', expected 'ok timeout'"

for mode in exit hang; do
  for kind in setsid setpgid; do
    pid=$(cat "$OUT/$mode.$kind")
    deadline=$((SECONDS + 20))
    while alive "$pid"; do
      [ "$SECONDS" -lt "$deadline" ] ||
        fail "the $kind descendant (pid $pid) of the run that ended by $mode still runs 20s after the run: $(ps -o user=,pid=,pgid=,sid=,args= -p "$pid")"
      sleep 0.05
    done
  done
done
stop_daemon
