# SPDX-License-Identifier: MIT
# Shared helpers for the integration tests: each test_*.sh sources this file, then starts the
# real eventmgrd on a private state dir, registers handlers with the real eventmgr, writes to
# the real FIFO and checks what the handlers received.
#
# Environment (set by ctest): EVENTMGR_BIN, EVENTMGRD_BIN, EVENTMGR_SOURCE_DIR.
# Exit 125 means "skipped".
#
# Variables for tests:
#   TMP    private temp dir (0755), kept when the test fails
#   STATE  the daemon's state dir ($TMP/state)
#   OUT    world-writable dir (1777) where handlers write what they received
#   BIN    handler scripts (0755), see handler_script
#   HUSER  the user handlers run as (nobody when root, else the current user)
set -euo pipefail

EVENTMGR_SOURCE_DIR=${EVENTMGR_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
EVENTMGR_BIN=${EVENTMGR_BIN:-$EVENTMGR_SOURCE_DIR/build/debug/cli/eventmgr}
EVENTMGRD_BIN=${EVENTMGRD_BIN:-$EVENTMGR_SOURCE_DIR/build/debug/daemon/eventmgrd}

TEST_NAME=$(basename "$0" .sh)
DAEMON_PID=
DAEMON_START_TIMEOUT=${EVENTMGR_TEST_START_TIMEOUT:-10}

# fail MSG...: print the message and end the test as failed.
fail() {
  echo "FAIL: $TEST_NAME: $*" >&2
  exit 1
}

# skip MSG...: end the test as skipped.
skip() {
  echo "SKIP: $TEST_NAME: $*" >&2
  exit 125
}

# require_cmd NAME...: skip unless each program is installed.
require_cmd() {
  local name
  for name in "$@"; do
    command -v "$name" >/dev/null 2>&1 || skip "'$name' is not installed (scripts/setup.sh installs it)"
  done
}

# as_handler_user: the user handlers run as: nobody when root (docs/HANDLERS.md: the default user),
# else the current user (a daemon not running as root runs handlers of its own user only).
as_handler_user() {
  if [ "$(id -u)" -eq 0 ]; then
    echo nobody
  else
    id -un
  fi
}

[ -x "$EVENTMGR_BIN" ] || skip "no eventmgr binary at $EVENTMGR_BIN (build first)"
[ -x "$EVENTMGRD_BIN" ] || skip "no eventmgrd binary at $EVENTMGRD_BIN (build first)"

TMP=$(mktemp -d /tmp/eventmgr-it.XXXXXX)
chmod 755 "$TMP" # handlers running as nobody must traverse it
STATE=$TMP/state
OUT=$TMP/out
BIN=$TMP/bin
mkdir -m 1777 "$OUT" && chmod 1777 "$OUT"
mkdir -m 755 "$BIN" && chmod 755 "$BIN"
: >"$TMP/daemon.log"
HUSER=$(as_handler_user)

# alive PID: true while the process exists and is not a zombie.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# sanitized_daemon: true when eventmgrd is built with ASan or TSan, whose shadow memory and
# quarantine make its RSS meaningless: memory bounds are checked in the normal build only.
sanitized_daemon() {
  grep -qaE '__(asan|tsan)_init' "$EVENTMGRD_BIN"
}

# check_peak_memory WHAT [LIMIT_KIB]: the running daemon's peak RSS (VmHWM) must stay under
# LIMIT_KIB (default 48 MiB) after WHAT; not checked when the daemon is built with a sanitizer.
check_peak_memory() {
  local hwm limit=${2:-$((48 * 1024))}
  hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$DAEMON_PID/status")
  [ -n "$hwm" ] || fail "cannot read VmHWM of the daemon (pid $DAEMON_PID)"
  echo "daemon VmHWM after $1: $hwm KiB"
  if sanitized_daemon; then
    echo "note: eventmgrd is built with a sanitizer (shadow memory, quarantine): peak memory not checked"
  else
    [ "$hwm" -lt "$limit" ] || fail "the daemon's peak memory is $hwm KiB after $1, limit $limit KiB"
  fi
}

# daemon_log_tail [N]: the last N lines of the daemon's log.
daemon_log_tail() {
  tail -n "${1:-40}" "$TMP/daemon.log" 2>/dev/null || true
}

# start_daemon [ARGS...]: run eventmgrd --state-dir $STATE ARGS in the background (log in
# $TMP/daemon.log) and wait until its pipe exists and it logs that it is ready.
start_daemon() {
  [ -z "$DAEMON_PID" ] || fail "start_daemon: a daemon is already running (pid $DAEMON_PID)"
  local readies deadline
  readies=$(grep -cw ready "$TMP/daemon.log" || true)
  "$EVENTMGRD_BIN" --state-dir "$STATE" "$@" </dev/null 2>>"$TMP/daemon.log" >>"$TMP/daemon.log" &
  DAEMON_PID=$!
  deadline=$((SECONDS + DAEMON_START_TIMEOUT))
  until [ -p "$STATE/events.pipe" ] && [ "$(grep -cw ready "$TMP/daemon.log" || true)" -gt "$readies" ]; do
    if ! alive "$DAEMON_PID"; then
      local rc=0
      wait "$DAEMON_PID" || rc=$?
      DAEMON_PID=
      fail "eventmgrd exited with status $rc during start; log:
$(daemon_log_tail 20)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail "eventmgrd not ready after ${DAEMON_START_TIMEOUT}s"
    sleep 0.05
  done
}

# stop_daemon: SIGTERM, wait for the daemon to end; fails unless it exits with status 0.
stop_daemon() {
  [ -n "$DAEMON_PID" ] || return 0
  local pid=$DAEMON_PID rc=0 deadline=$((SECONDS + 60))
  kill -TERM "$pid" 2>/dev/null || true
  while alive "$pid"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      DAEMON_PID=
      fail "eventmgrd did not stop within 60s of SIGTERM"
    fi
    sleep 0.05
  done
  wait "$pid" || rc=$?
  DAEMON_PID=
  [ "$rc" -eq 0 ] || fail "eventmgrd exited with status $rc after SIGTERM"
}

# kill9_daemon: SIGKILL the daemon (a crash) and reap it.
kill9_daemon() {
  [ -n "$DAEMON_PID" ] || fail "kill9_daemon: no daemon running"
  kill -KILL "$DAEMON_PID" 2>/dev/null || true
  wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=
}

# daemon_alive: true while the daemon started by start_daemon runs.
daemon_alive() {
  [ -n "$DAEMON_PID" ] && alive "$DAEMON_PID"
}

# kill_on_exit PID...: processes started by handlers, to kill when the test ends together
# with their process groups (a handler leads its own group).
STRAY_PIDS=()
kill_on_exit() {
  STRAY_PIDS+=("$@")
}

cleanup() {
  local rc=$?
  set +e
  local stray
  for stray in "${STRAY_PIDS[@]}"; do
    kill -KILL -- "-$stray" 2>/dev/null
    alive "$stray" && kill -KILL "$stray" 2>/dev/null
  done
  if [ -n "$DAEMON_PID" ]; then
    kill -TERM "$DAEMON_PID" 2>/dev/null
    local deadline=$((SECONDS + 30))
    while alive "$DAEMON_PID" && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.05
    done
    kill -KILL "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID" 2>/dev/null
  fi
  if [ "$rc" -eq 0 ] || [ "$rc" -eq 125 ]; then
    rm -rf "$TMP"
  else
    echo "$TEST_NAME failed (status $rc); kept $TMP" >&2
    echo "--- last lines of $TMP/daemon.log:" >&2
    daemon_log_tail 40 >&2
  fi
  exit "$rc"
}
trap cleanup EXIT

# em ARGS...: the CLI on the test's state dir.
em() {
  "$EVENTMGR_BIN" --state-dir "$STATE" "$@"
}

# not CODE CMD...: CMD must fail with exit status CODE.
not() {
  local want=$1 rc=0
  shift
  "$@" >"$TMP/not.out" 2>&1 || rc=$?
  [ "$rc" -eq "$want" ] || fail "expected exit $want, got $rc from: $*
$(cat "$TMP/not.out")"
}

# wait_for COND [TIMEOUT]: evaluate the shell condition COND every 0.05 s until it holds;
# fails after TIMEOUT seconds (default 20).
wait_for() {
  local cond=$1 timeout=${2:-20} deadline
  deadline=$((SECONDS + timeout))
  until eval "$cond"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${timeout}s waiting for: $cond"
    sleep 0.05
  done
}

# handler_script NAME <<'EOF' ... EOF: write stdin as the executable /bin/sh script $BIN/NAME.
# @OUT@ in the text becomes the path of $OUT.
handler_script() {
  local file=$BIN/$1
  {
    echo '#!/bin/sh'
    sed "s|@OUT@|$OUT|g"
  } >"$file"
  chmod 755 "$file"
}

# add_handler ARGS...: `eventmgr handler add --user $HUSER ARGS`; prints the new handler id.
add_handler() {
  local id
  id=$(em handler add --user "$HUSER" "$@") || fail "handler add $* failed"
  id=$(printf '%s\n' "$id" | grep -Eo '[0-9]+' | head -n 1)
  [ -n "$id" ] || fail "handler add $* printed no id"
  echo "$id"
}

# to_pipe TEXT: one write() of TEXT and a newline to the daemon's FIFO.
to_pipe() {
  printf '%s\n' "$1" >"$STATE/events.pipe"
}

# db SQL: a read-only query on the daemon's database.
db() {
  sqlite3 -readonly -cmd '.timeout 10000' "$STATE/eventmgr.db" "$1"
}

# lines FILE: the number of lines in FILE (0 when it does not exist).
lines() {
  if [ -e "$1" ]; then
    wc -l <"$1" | tr -d ' '
  else
    echo 0
  fi
}

# events_done N: true when the journal holds N events and all of them are done.
events_done() {
  local counts
  counts=$(db "SELECT count(*) || ' ' || coalesce(sum(state = 'done'), 0) FROM events" 2>/dev/null) || return 1
  [ "$counts" = "$1 $1" ]
}
