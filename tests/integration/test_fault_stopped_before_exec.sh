#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Security review F2: a process running as the handler's user loops kill(-1, SIGSTOP), so it
# stops the launcher's child between its switch to that user and its exec. No run may be held
# hostage by it: every event is still done (a run held before its exec is killed and reported
# "not started"), SIGTERM still stops the daemon within its stop grace, and after a kill -9
# the daemon starts again although a stopped child of the old one still exists (the child
# holds no copy of the state-dir lock).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3 useradd userdel setpriv ps
[ "$(id -u)" -eq 0 ] || skip "needs root: the test creates the handler's user"
[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 for the stopper"

HUSER=emt$$s
STOPPER_PID=
# The child changes to the user's home between its user switch and its exec: a home 1,500
# directories deep makes that window ~100 times wider, so the stopper hits it in seconds.
home=$TMP/home$(printf '/d%.0s' $(seq 1 1500))
mkdir -p "$home"
useradd --system --no-create-home --home-dir "$home" --shell /usr/sbin/nologin "$HUSER" || fail "cannot create user $HUSER"

# user_pids: every process of the test's user, one pid a line.
user_pids() {
  ps -u "$HUSER" -o pid= 2>/dev/null | tr -d ' ' || true
}

# Runs before lib.sh's cleanup: no daemon that could start more processes as the user, then
# every process of the user (all started by this test), then the user.
remove_user() {
  local rc=$? pid
  set +e
  if [ -n "$DAEMON_PID" ]; then
    kill -KILL "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID" 2>/dev/null
    DAEMON_PID=
  fi
  for _ in 1 2 3; do
    for pid in $(user_pids); do
      kill -KILL "$pid" 2>/dev/null
    done
    sleep 0.2
  done
  userdel "$HUSER" 2>/dev/null || echo "warning: cannot remove user $HUSER" >&2
  (exit "$rc")
  cleanup
}
trap remove_user EXIT

# start_stopper SECONDS: as the handler's user, send SIGSTOP to every process of that user,
# in a loop, for SECONDS.
start_stopper() {
  setpriv --reuid="$HUSER" --regid="$HUSER" --clear-groups /usr/bin/python3 -c '
import os, signal, sys, time
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    try:
        os.kill(-1, signal.SIGSTOP)
    except ProcessLookupError:
        pass
' "$1" &
  STOPPER_PID=$!
}

stop_stopper() {
  if [ -n "$STOPPER_PID" ]; then
    kill -KILL "$STOPPER_PID" 2>/dev/null || true
    { wait "$STOPPER_PID"; } 2>/dev/null || true
    STOPPER_PID=
  fi
}

SENT=0
# send_batch N: N client_create records in one write.
send_batch() {
  local batch="" i
  for i in $(seq 1 "$1"); do
    SENT=$((SENT + 1))
    batch+="{\"event\":\"client_create\",\"id\":\"s$SENT\",\"new\":{\"login_name\":\"u$SENT\",\"contact_name\":\"S\"}}"$'\n'
  done
  printf '%s' "$batch" >"$STATE/events.pipe"
}

held_runs() {
  db "SELECT count(*) FROM runs WHERE status = 'not_started' AND start_error LIKE '%held before exec%'" 2>/dev/null || echo 0
}

# stopped_children: launcher children of the handler's user that are stopped before their
# exec (still named eventmgrd).
stopped_children() {
  ps -u "$HUSER" -o pid=,stat=,comm= 2>/dev/null | awk '$2 ~ /^T/ && $3 == "eventmgrd" { print $1 }'
}

# time_sigterm: SIGTERM to the daemon; fails unless it exits within LIMIT seconds.
stop_within() {
  local limit=$1 pid=$DAEMON_PID deadline
  deadline=$((SECONDS + limit))
  kill -TERM "$pid"
  while alive "$pid"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "eventmgrd still runs ${limit}s after SIGTERM (stop_grace 3)
$(daemon_log_tail 10)"
    sleep 0.05
  done
  wait "$pid" 2>/dev/null || true
  DAEMON_PID=
}

cat >"$TMP/eventmgr.yaml" <<'EOF'
kill_grace: 1
stop_grace: 3
workers: 2
EOF
chmod 644 "$TMP/eventmgr.yaml"
start_daemon --config "$TMP/eventmgr.yaml"
add_handler --event client_create --timeout 1 --command /bin/true >/dev/null

# 1. Hit the window: many short runs while the stopper spins. Runs stopped after their exec
# end by their time-out; a run stopped before it must be reported, not hang its lane.
start_stopper 200
deadline=$((SECONDS + 90))
until [ "$(held_runs)" -gt 0 ]; do
  [ "$SECONDS" -lt "$deadline" ] ||
    fail "no run reported 'held before exec' within 90s ($SENT events sent, $(db "SELECT count(*) FROM runs") runs recorded, $(stopped_children | wc -l) stopped children): a lane hangs in clone()"
  [ "$SENT" -ge 3000 ] || send_batch 40
  sleep 0.2
done
echo "held runs reported: $(held_runs) of $SENT events sent, after ${SECONDS}s"

# 2. SIGTERM stops the daemon within its stop grace while the stopper still spins.
stop_within 30
stop_stopper
echo "stopped on SIGTERM, after ${SECONDS}s"

# 3. Without the stopper, every event sent gets done.
start_daemon --config "$TMP/eventmgr.yaml"
wait_for "events_done $SENT" 120
running=$(db "SELECT count(*) FROM runs WHERE status = 'running'")
[ "$running" -eq 0 ] || fail "$running runs still marked running after all events are done"
echo "all $SENT events done, after ${SECONDS}s"

# 4. kill -9 while a child is stopped before its exec: the next daemon starts.
start_stopper 200
deadline=$((SECONDS + 90))
until [ -n "$(stopped_children)" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "no launcher child stopped before its exec within 90s"
  [ "$SENT" -ge 6000 ] || send_batch 20
  sleep 0.02
done
orphans=$(stopped_children | tr '\n' ' ')
kill9_daemon
echo "daemon killed while children $orphans were stopped before their exec"
stop_stopper
start_daemon --config "$TMP/eventmgr.yaml"
# Where the runs live in cgroups, the new daemon kills what the old one left in them: a stopped
# child continued later would run a handler for a daemon that no longer exists.
if grep -q "handler processes: one cgroup per lane" "$TMP/daemon.log"; then
  for pid in $orphans; do
    wait_for "! alive $pid" 20
  done
  echo "the stopped children of the killed daemon were killed at the restart"
fi
wait_for "events_done $SENT" 120
stop_within 30
echo "restarted, all $SENT events done and stopped, after ${SECONDS}s"
