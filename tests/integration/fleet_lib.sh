# SPDX-License-Identifier: MIT
# Helpers for the fleet tests (docs/FLEET.md), sourced after lib.sh: a real `nats-server -js`
# on a free loopback port with a store in $TMP, and several eventmgrd "nodes", each with its
# own state dir $TMP/NAME, config $TMP/NAME.yaml and log $TMP/NAME.log. Every process started
# here is stopped when the test ends (also when it fails), before lib.sh's own cleanup.
require_cmd nats-server sqlite3 jq

NATS_PID=
NATS_PORT=
NATS_URL=
declare -A NODE_PIDS=()

fleet_cleanup() {
  local rc=$?
  set +e
  local name pid
  for name in "${!NODE_PIDS[@]}"; do
    pid=${NODE_PIDS[$name]}
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
  done
  for name in "${!NODE_PIDS[@]}"; do
    pid=${NODE_PIDS[$name]}
    [ -n "$pid" ] || continue
    local deadline=$((SECONDS + 30))
    while alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ -n "$NATS_PID" ]; then
    kill -KILL "$NATS_PID" 2>/dev/null
    wait "$NATS_PID" 2>/dev/null
  fi
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 125 ]; then
    for name in "${!NODE_PIDS[@]}"; do
      echo "--- last lines of $TMP/$name.log:" >&2
      tail -n 25 "$TMP/$name.log" >&2
    done
    echo "--- last lines of $TMP/nats.log:" >&2
    tail -n 15 "$TMP/nats.log" >&2
  fi
  (exit "$rc")
  cleanup
}
trap fleet_cleanup EXIT

# start_nats: nats-server with JetStream, its store in $TMP/nats-store. The first start takes
# a free port (-p -1) and later starts (after kill9_nats) reuse it, as a restarted server would.
start_nats() {
  [ -z "$NATS_PID" ] || fail "start_nats: nats-server already runs (pid $NATS_PID)"
  local starts
  starts=$(grep -c 'Server is ready' "$TMP/nats.log" 2>/dev/null || true)
  nats-server -js -a 127.0.0.1 -p "${NATS_PORT:--1}" -sd "$TMP/nats-store" -l "$TMP/nats.log.current" \
    </dev/null >/dev/null 2>&1 &
  NATS_PID=$!
  local deadline=$((SECONDS + 20))
  until grep -q 'Server is ready' "$TMP/nats.log.current" 2>/dev/null; do
    alive "$NATS_PID" || fail "nats-server exited during start: $(tail -5 "$TMP/nats.log.current" 2>/dev/null)"
    [ "$SECONDS" -lt "$deadline" ] || fail "nats-server not ready after 20s"
    sleep 0.05
  done
  if [ -z "$NATS_PORT" ]; then
    NATS_PORT=$(grep -Eo 'Listening for client connections on 127\.0\.0\.1:[0-9]+' "$TMP/nats.log.current" |
      head -n 1 | grep -Eo '[0-9]+$')
    [ -n "$NATS_PORT" ] || fail "cannot read nats-server's port from its log"
    NATS_URL=nats://127.0.0.1:$NATS_PORT
  fi
  : "$starts"
}

# kill9_nats: SIGKILL nats-server (its store stays) and reap it.
kill9_nats() {
  [ -n "$NATS_PID" ] || fail "kill9_nats: no nats-server running"
  kill -KILL "$NATS_PID" 2>/dev/null || true
  wait "$NATS_PID" 2>/dev/null || true
  NATS_PID=
  cat "$TMP/nats.log.current" >>"$TMP/nats.log" 2>/dev/null
  rm -f "$TMP/nats.log.current"
}

# write_host_config NAME: a host that forwards to the test's nats-server as host NAME.
write_host_config() {
  cat >"$TMP/$1.yaml" <<CONF
workers: 2
forward:
  url: $NATS_URL
  host: $1
CONF
}

# write_central_config NAME: a central node taking from the stream as the default durable.
write_central_config() {
  cat >"$TMP/$1.yaml" <<CONF
workers: 2
intake:
  nats:
    url: $NATS_URL
CONF
}

# start_node NAME: eventmgrd with $TMP/NAME.yaml on state dir $TMP/NAME; waits until ready.
start_node() {
  local name=$1 log=$TMP/$1.log readies
  [ -z "${NODE_PIDS[$name]:-}" ] || fail "start_node: $name already runs"
  touch "$log"
  readies=$(grep -cw ready "$log" || true)
  "$EVENTMGRD_BIN" --config "$TMP/$name.yaml" --state-dir "$TMP/$name" </dev/null >>"$log" 2>&1 &
  NODE_PIDS[$name]=$!
  local deadline=$((SECONDS + 30))
  until [ -p "$TMP/$name/events.pipe" ] && [ "$(grep -cw ready "$log" || true)" -gt "$readies" ]; do
    alive "${NODE_PIDS[$name]}" || fail "eventmgrd $name exited during start: $(tail -n 10 "$log")"
    [ "$SECONDS" -lt "$deadline" ] || fail "eventmgrd $name not ready after 30s"
    sleep 0.05
  done
}

# stop_node NAME: SIGTERM; fails unless it exits 0 within 60 s.
stop_node() {
  local name=$1 pid=${NODE_PIDS[$1]:-} rc=0 deadline=$((SECONDS + 60))
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while alive "$pid"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "eventmgrd $name did not stop within 60s"
    sleep 0.05
  done
  wait "$pid" || rc=$?
  NODE_PIDS[$name]=
  [ "$rc" -eq 0 ] || fail "eventmgrd $name exited with status $rc after SIGTERM"
}

# kill9_node NAME: SIGKILL the node's daemon and reap it.
kill9_node() {
  local pid=${NODE_PIDS[$1]:-}
  [ -n "$pid" ] || fail "kill9_node: $1 is not running"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  NODE_PIDS[$1]=
}

# node_cli NAME ARGS...: eventmgr on the node.
node_cli() {
  local name=$1
  shift
  "$EVENTMGR_BIN" --config "$TMP/$name.yaml" --state-dir "$TMP/$name" "$@"
}

# node_db NAME SQL: a read-only query on the node's journal.
node_db() {
  sqlite3 -readonly -cmd '.timeout 10000' "$TMP/$1/eventmgr.db" "$2"
}

# forwarded_all NAME: the host's cursor is at its last event (and it has events).
forwarded_all() {
  local row
  row=$(node_db "$1" "SELECT (SELECT cursor FROM forward_state) || ' ' || (SELECT coalesce(max(seq), -1) FROM events)" \
    2>/dev/null) || return 1
  [ "${row% *}" = "${row#* }" ]
}

# write_events NAME COUNT [PAUSE_EVERY]: COUNT client_create records to the node's FIFO, one
# write each, login names NAME-1 .. NAME-COUNT; a 20 ms pause after every PAUSE_EVERY records.
write_events() {
  local name=$1 count=$2 every=${3:-0} i
  for ((i = 1; i <= count; i++)); do
    printf '{"event":"client_create","id":"%s-%d","new":{"login_name":"%s-%d","contact_name":"Fleet %d"}}\n' \
      "$name" "$i" "$name" "$i" "$i"
    if [ "$every" -gt 0 ] && [ $((i % every)) -eq 0 ]; then
      sleep 0.02
    fi
  done >"$TMP/$name/events.pipe"
}
