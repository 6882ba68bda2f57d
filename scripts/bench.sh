#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: scripts/bench.sh [--quick] [--runs N] [--peer webhook] [--only LIST] [--keep] [--no-build] [--metrics]
# Builds Release into build/bench and measures eventmgrd against floors measured in the same
# run (docs/PERFORMANCE.md): intake, dispatch (1 and 2 workers, with and without 1 GiB of ballast),
# submit-to-start latency, memory, retries (10 % of runs fail once with exit 75), and optionally
# Debian's webhook as a peer. Each figure runs
# --runs times (default 3); prints one table (medians, min..max) and writes the raw figures to
# build/bench/results.json. --quick: 10x smaller counts and 1 run, for development. --keep:
# keep the per-run state dirs (daemon logs, databases) under build/bench/runs/. --no-build:
# use the binaries already in build/bench. --only LIST: a comma-separated subset of intake,
# backlog, dispatch, latency, retries, fleet, web (the floors always run), for profiling one
# figure. fleet: forwarding to a real nats-server -js and a central node's intake from it, against
# a bare nats.c async publish loop with the same records and Msg-Ids (docs/FLEET.md). web: server
# time of eventmgr-web's pages over 100,000 runs and 1,000 handlers (its Server-Timing header).
# --metrics: every daemon writes its metrics file every second (metrics_interval: 1), to measure
# what that costs.
set -euo pipefail
export LC_ALL=C

usage() { echo "usage: scripts/bench.sh [--quick] [--runs N] [--peer webhook] [--only intake,backlog,dispatch,latency,retries,fleet,web] [--keep] [--no-build] [--metrics]"; }

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build/bench
quick=0
runs=""
peer=""
keep=0
build_first=1
metrics=0
only=intake,backlog,dispatch,latency,retries,fleet,web
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --runs)
      if [ $# -lt 2 ] || ! [[ "$2" =~ ^[1-9][0-9]*$ ]]; then
        usage >&2
        exit 2
      fi
      runs=$2
      shift
      ;;
    --peer)
      [ "${2:-}" = "webhook" ] || { echo "bench.sh: --peer takes 'webhook'" >&2; usage >&2; exit 2; }
      peer=webhook
      shift
      ;;
    --only)
      if [ $# -lt 2 ] || ! [[ "$2" =~ ^(intake|backlog|dispatch|latency|retries|fleet|web)(,(intake|backlog|dispatch|latency|retries|fleet|web))*$ ]]; then
        echo "bench.sh: --only takes a comma-separated list of intake, backlog, dispatch, latency, retries, fleet, web" >&2
        usage >&2
        exit 2
      fi
      only=$2
      shift
      ;;
    --keep) keep=1 ;;
    --no-build) build_first=0 ;;
    --metrics) metrics=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

# Counts (docs/PERFORMANCE.md); --quick divides them by 10.
scale=$((quick ? 10 : 1))
runs=${runs:-$((quick ? 1 : 3))}
intake_n=$((200000 / scale))
writers=4
dispatch_n=$((5000 / scale))
ballast_mib=1024
latency_n=$((1000 / scale))
latency_rate=100
backlog_n=$((200000 / scale))
peer_n=$((5000 / scale))
fleet_n=$((100000 / scale))
web_runs=$((100000 / scale))
web_handlers=$((1000 / scale))
web_requests=20
retries_n=$((10000 / scale))
retries_delay_s=1

die() { echo "bench.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for tool in cmake sqlite3 awk jq; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install $tool)"
done
if [ "$(id -u)" -eq 0 ]; then
  handler_user=nobody
  id nobody >/dev/null 2>&1 || die "user nobody does not exist: handlers run as another user when root"
else
  handler_user=$(id -un) # a daemon not running as root runs handlers of its own user only
fi

# --- build -------------------------------------------------------------------------------
mkdir -p "$build"
if [ "$build_first" -eq 1 ]; then
  log "build (Release) in $build"
  if ! { cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DEVENTMGR_TESTS=OFF -DEVENTMGR_BENCH=ON &&
    cmake --build "$build" -j"$(nproc)" --target eventmgrd eventmgr eventmgr-web bench_sqlite_floor bench_spawn_floor \
      bench_writer bench_wait bench_nats_floor; } >"$build/build.log" 2>&1; then
    tail -n 30 "$build/build.log" >&2
    die "build failed; see $build/build.log"
  fi
fi
eventmgrd=$build/daemon/eventmgrd
eventmgr=$build/cli/eventmgr
eventmgr_web=$build/web/eventmgr-web
helpers=$build/scripts/bench
for binary in "$eventmgrd" "$eventmgr" "$eventmgr_web" "$helpers"/bench_{sqlite_floor,spawn_floor,writer,wait,nats_floor}; do
  [ -x "$binary" ] || die "$binary is missing; build without --no-build"
done

# --- process bookkeeping: everything started here is stopped on exit -----------------------
mkdir -p "$build/runs"
work=$(mktemp -d "$build/runs/bench.XXXXXX")
daemon_pid=""
peer_pid=""
nats_pid=""
background=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${background[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  stop_daemon
  if [ -n "$nats_pid" ]; then
    kill "$nats_pid" 2>/dev/null || true
    wait "$nats_pid" 2>/dev/null || true
  fi
  if [ -n "$peer_pid" ]; then
    kill "$peer_pid" 2>/dev/null || true
    wait "$peer_pid" 2>/dev/null || true
  fi
  [ -z "${retry_bin:-}" ] || rm -rf "$retry_bin"
  if [ "$keep" -eq 0 ]; then
    rm -rf "$work"
  else
    echo "bench.sh: kept $work" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Stops the daemon: SIGTERM (it kills running handlers at once: stop_grace 0), SIGKILL after 10 s.
stop_daemon() {
  [ -n "$daemon_pid" ] || return 0
  kill -TERM "$daemon_pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$daemon_pid" 2>/dev/null || true
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=""
}

# start_daemon NAME WORKERS BALLAST_MIB [SETTINGS]: a daemon on a fresh state dir (SETTINGS: more
# config lines); sets state, config, daemon_pid.
start_daemon() {
  state=$work/$1
  config=$work/$1.yaml
  mkdir -m 700 "$state"
  # stop_grace/kill_grace 0: a stop kills running handlers at once (the backlog figure's sleeps).
  printf 'workers: %s\ndebug_ballast_mib: %s\nlog_level: info\nstop_grace: 0\nkill_grace: 0\n' "$2" "$3" >"$config"
  if [ "$metrics" -eq 1 ]; then
    printf 'metrics_file: %s\nmetrics_interval: 1\n' "$state.prom" >>"$config"
  fi
  [ -z "${4:-}" ] || printf '%s\n' "$4" >>"$config"
  chmod 600 "$config"
  "$eventmgrd" --state-dir "$state" --config "$config" 2>"$state.log" &
  daemon_pid=$!
  for _ in $(seq 300); do
    grep -q ' ready: ' "$state.log" && return 0
    kill -0 "$daemon_pid" 2>/dev/null || { tail -n 20 "$state.log" >&2; die "eventmgrd exited at start"; }
    sleep 0.1
  done
  die "eventmgrd not ready after 30 s; see $state.log"
}

em() { "$eventmgr" --state-dir "$state" --config "$config" "$@"; }
add_handler() { em handler add --event client_create --user "$handler_user" --command "$1" "${@:2}" >/dev/null; }
sql() { sqlite3 -cmd '.timeout 5000' "$state/eventmgr.db" "$1"; }

# wait_for SQL TARGET TIMEOUT_S INTERVAL_MS: polls the journal until SQL gives at least TARGET;
# sets reached_ns (wall clock) and reached_value; returns 3 on time-out (reached_* then say
# how far it got).
wait_for() {
  local out=$work/wait.json rc=0
  # In the background: a signal to this script is handled at once, not after the wait.
  "$helpers/bench_wait" --db "$state/eventmgr.db" --sql "$1" --target "$2" --timeout "$3" \
    --interval-ms "$4" --pid "$daemon_pid" >"$out" &
  background+=($!)
  wait $! || rc=$?
  unset 'background[-1]'
  out=$(<"$out")
  case "$rc" in
    0 | 3) ;;
    4) tail -n 20 "$state.log" >&2; die "eventmgrd died during the measurement; see $state.log" ;;
    *) die "bench_wait failed ($rc)" ;;
  esac
  reached_ns=$(json_get ns "$out")
  reached_value=$(json_get value "$out")
  return "$rc"
}

now_ns() { local us=${EPOCHREALTIME/./}; echo "${us}000"; }
json_get() { sed -n "s/.*\"$1\":\([-0-9.e+]*\).*/\1/p" <<<"$2"; }
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }
rss_mib() { awk -v key="$2:" '$1 == key { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
# Nearest-rank percentile of the numbers in FILE.
percentile() { sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { r = int(p * NR); if (r < p * NR) r++; if (r < 1) r = 1; print v[r] }'; }

# Raw figures: values[KEY] holds one value per run, in run order.
declare -A values
notes=()
record() { values[$1]="${values[$1]:+${values[$1]} }$2"; }
note() { notes+=("run $run: $*"); log "note: $*"; }

# The floors' programs get the environment a client_create handler gets (docs/HANDLERS.md): its
# LANG=C.UTF-8 makes /bin/true and date load the locale, ~0.32 ms per launch here, which is the
# program's cost whoever starts it; without it the floor would run a cheaper program.
handler_env=()
make_handler_env() {
  local home shell name upper
  IFS=: read -r _ _ _ _ _ home shell < <(getent passwd "$handler_user")
  handler_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "HOME=$home" "USER=$handler_user"
    "LOGNAME=$handler_user" "SHELL=$shell" LANG=C.UTF-8 EVENT=client_create EVENTMGR_EVENT_ID=1 EVENTMGR_HANDLER_ID=1
    EVENTMGR_ATTEMPT=1)
  for name in $("$eventmgr" events client_create --json | jq -r '.params[].name'); do
    upper=${name^^}
    handler_env+=("OLD_$upper=" "NEW_$upper=x")
  done
}
floor_env() { env -i "${handler_env[@]}" "$@"; }

# --- figures -----------------------------------------------------------------------------
floors() {
  local out
  log "floor: SQLite, $intake_n rows of 200 bytes, 100 per transaction, synchronous=FULL"
  out=$("$helpers/bench_sqlite_floor" --db "$work/floor-$run.db" --rows "$intake_n" --batch 100)
  record floor.sqlite "$(json_get rows_per_s "$out")"
  rm -f "$work/floor-$run.db"*
  for loops in 1 2; do
    log "floor: posix_spawn+waitpid of /bin/true x $dispatch_n, $loops loop(s)"
    out=$(floor_env "$helpers/bench_spawn_floor" --count "$dispatch_n" --parallel "$loops" --program /bin/true --arg u1)
    record "floor.spawn$loops" "$(json_get launches_per_s "$out")"
    record "floor.spawn${loops}_us_p50" "$(json_get latency_us_p50 "$out")"
  done
  log "floor: spawn request to running, date +%s%N x $latency_n"
  out=$(floor_env "$helpers/bench_spawn_floor" --count "$latency_n" --start-latency)
  record floor.start_ms_p50 "$(calc "$(json_get start_us_p50 "$out") / 1000")"
  record floor.start_ms_p99 "$(calc "$(json_get start_us_p99 "$out") / 1000")"
}

# intake_records PREFIX COUNT: COUNT records from $writers concurrent FIFO writers; sets
# intake_seconds, from the first write until all are journaled, and intake_count (fewer than
# COUNT after a time-out, with a note).
intake_records() {
  local t0 i rc=0 pids=()
  t0=$(now_ns)
  for i in $(seq "$writers"); do
    "$helpers/bench_writer" --fifo "$state/events.pipe" --prefix "$1$i" --first 0 --count $(($2 / writers)) \
      >"$work/writer-$1$i.json" &
    pids+=($!)
    background+=($!)
  done
  wait_for "SELECT coalesce(max(seq), 0) FROM events" $(($2 / writers * writers)) $((60 + $2 / 1000)) 5 || rc=$?
  for i in "${pids[@]}"; do
    wait "$i" || die "a FIFO writer failed; see $work/writer-*.json"
  done
  background=()
  intake_seconds=$(calc "($reached_ns - $t0) / 1e9")
  intake_count=$reached_value
  if [ "$rc" -ne 0 ]; then
    note "intake timed out at $reached_value of $2 records (its rate is partial)"
  fi
  local accepted rejected
  accepted=$(sql "SELECT value FROM counters WHERE name = 'accepted'")
  rejected=$(sql "SELECT value FROM counters WHERE name = 'rejected'")
  if [ "$accepted" -ne "$reached_value" ] || [ "$rejected" -ne 0 ]; then
    note "intake: $accepted accepted, $rejected rejected of $2"
  fi
}

intake() {
  log "intake: $intake_n records by $writers writers through the FIFO, no handlers"
  start_daemon "intake-$run" 2 0
  sleep 1
  record rss.idle "$(rss_mib "$daemon_pid" VmRSS)"
  intake_records w "$intake_n"
  record intake.rate "$(calc "$intake_count / $intake_seconds")"
  record rss.after_intake "$(rss_mib "$daemon_pid" VmRSS)"
  stop_daemon
}

# The backlog stays in the journal: two handler runs block (sleep) and every other event waits.
backlog() {
  log "memory: $backlog_n-event backlog (2 workers blocked in a sleeping handler)"
  start_daemon "backlog-$run" 2 0
  add_handler '/bin/sleep 60'
  sleep 1
  intake_records k "$backlog_n"
  sleep 1
  local pending
  pending=$(sql "SELECT count(*) FROM events WHERE state <> 'done'")
  [ "$pending" -ge $((backlog_n - 2)) ] || note "backlog: only $pending events pending"
  record rss.backlog "$(rss_mib "$daemon_pid" VmRSS)"
  record rss.backlog_hwm "$(rss_mib "$daemon_pid" VmHWM)"
  stop_daemon
}

# dispatch WORKERS BALLAST_MIB KEY: $dispatch_n events through pickup, one /bin/true handler.
dispatch() {
  log "dispatch: $dispatch_n events, /bin/true as $handler_user, workers $1, ballast $2 MiB"
  start_daemon "dispatch-$3-$run" "$1" "$2"
  add_handler '/bin/true <new_login_name>'
  local t0 rc=0 seconds ok
  t0=$(now_ns)
  "$helpers/bench_writer" --pickup "$state/pickup" --prefix d --count "$dispatch_n" --per-file 1000 >/dev/null
  wait_for "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL" "$dispatch_n" $((30 + dispatch_n / 100)) 20 ||
    rc=$?
  seconds=$(calc "($reached_ns - $t0) / 1e9")
  if [ "$rc" -ne 0 ]; then
    note "dispatch $3 timed out: $reached_value of $dispatch_n runs in ${seconds}s (its rate is partial)"
  fi
  record "dispatch.$3" "$(calc "$reached_value / $seconds")"
  ok=$(sql "SELECT count(*) FROM runs WHERE status = 'ok'")
  if [ "$ok" -lt "$reached_value" ]; then
    note "dispatch $3: only $ok of $reached_value runs ok: $(sql "SELECT status, start_error FROM runs WHERE status <> 'ok' LIMIT 1")"
  fi
  stop_daemon
}

# retries FAIL KEY: $retries_n events, two workers, a handler script that exits 75 on the first
# attempt of every event whose id ends in 0 when FAIL is 1 (10 % of runs), with retry_delays
# [${retries_delay_s}s]; time until every event is done. FAIL 0 is the same without failures.
retry_bin=""
retries() {
  if [ -z "$retry_bin" ]; then
    retry_bin=$(mktemp -d /tmp/eventmgr-bench-bin.XXXXXX)
    chmod 755 "$retry_bin"
    printf '#!/bin/sh\ncase "$EVENTMGR_EVENT_ID" in\n*0) [ "$1" = 1 ] && [ "$EVENTMGR_ATTEMPT" = 1 ] && exit 75 ;;\nesac\nexit 0\n' \
      >"$retry_bin/flaky"
    chmod 755 "$retry_bin/flaky"
  fi
  log "retries: $retries_n events, $([ "$1" = 1 ] && echo "10 % fail once with exit 75" || echo "no failures"), workers 2"
  start_daemon "retries-$2-$run" 2 0 "retry_delays: [${retries_delay_s}s]"
  add_handler "$retry_bin/flaky $1 <new_login_name>"
  local t0 rc=0 seconds
  t0=$(now_ns)
  "$helpers/bench_writer" --pickup "$state/pickup" --prefix r --count "$retries_n" --per-file 1000 >/dev/null
  wait_for "SELECT count(*) FROM events WHERE state = 'done'" "$retries_n" $((60 + retries_n / 100)) 20 || rc=$?
  seconds=$(calc "($reached_ns - $t0) / 1e9")
  [ "$rc" -eq 0 ] || note "retries $2 timed out: $reached_value of $retries_n events done in ${seconds}s"
  record "retries.$2" "$seconds"
  if [ "$1" = 1 ]; then
    record retries.failed "$(sql "SELECT count(*) FROM runs WHERE status = 'exit' AND exit_code = 75")"
    record retries.retried "$(sql "SELECT count(*) FROM runs WHERE attempt = 2 AND status = 'ok'")"
  fi
  stop_daemon
}

# latency: $latency_n events at $latency_rate/s through the FIFO; the handler prints its start time.
latency() {
  log "latency: $latency_n events at $latency_rate/s, submit to handler start"
  start_daemon "latency-$run" 2 0
  add_handler '/usr/bin/date +%s%N'
  "$helpers/bench_writer" --fifo "$state/events.pipe" --prefix L --count "$latency_n" --rate "$latency_rate" >/dev/null
  local rc=0
  wait_for "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL" "$latency_n" 60 20 || rc=$?
  [ "$rc" -eq 0 ] || note "latency: not every run finished within 60 s"
  # ids end in the send time (19 digits of ns); the handler's stdout is its start time.
  sql "SELECT CAST(CAST(r.stdout AS TEXT) AS INTEGER) - CAST(substr(e.submit_id, -19) AS INTEGER)
       FROM runs r JOIN events e ON e.seq = r.event_seq WHERE r.status = 'ok'" >"$work/latency-$run.txt"
  record latency.ms_p50 "$(calc "$(percentile "$work/latency-$run.txt" 0.50) / 1e6")"
  record latency.ms_p99 "$(calc "$(percentile "$work/latency-$run.txt" 0.99) / 1e6")"
  stop_daemon
}

# peer: adnanh/webhook running /bin/true per request (synchronously: it answers with the output).
ensure_webhook() {
  command -v webhook >/dev/null && return 0
  if [ "$(id -u)" -ne 0 ]; then
    return 1
  fi
  log "installing Debian's webhook"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y webhook >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y webhook >/dev/null 2>&1; }
}

peer_webhook() {
  local hooks=$work/hooks.json port="" url codes t0 t1 ok
  cat >"$hooks" <<'EOF'
[{"id": "true", "execute-command": "/bin/true", "include-command-output-in-response": true,
  "pass-arguments-to-command": [{"source": "string", "name": "u1"}]}]
EOF
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    # env itself (not the floor_env function, which would run in a subshell) so that $! is
    # webhook's pid once env has exec'd it: kill and VmHWM below must reach webhook.
    env -i "${handler_env[@]}" "$(command -v webhook)" -hooks "$hooks" -ip 127.0.0.1 -port "$port" \
      >"$work/webhook-$run.log" 2>&1 &
    peer_pid=$!
    for _ in $(seq 50); do
      curl -fs -o /dev/null "http://127.0.0.1:$port/hooks/true" && break 2
      kill -0 "$peer_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$peer_pid" 2>/dev/null || true
    wait "$peer_pid" 2>/dev/null || true
    peer_pid=""
  done
  [ -n "$peer_pid" ] || die "webhook did not start; see $work/webhook-$run.log"
  url="http://127.0.0.1:$port/hooks/true?i=[1-$peer_n]"
  for conns in 1 4; do
    log "peer: webhook, $peer_n requests, $conns connection(s)"
    codes=$work/webhook-codes-$run-$conns.txt
    t0=$(now_ns)
    # One curl process keeps its connections open; the hook's output (none) precedes each code.
    if [ "$conns" -eq 1 ]; then
      curl -s -w '%{http_code}\n' "$url" >"$codes" 2>>"$work/curl.log" || true
    else
      curl -s -w '%{http_code}\n' --parallel --parallel-max "$conns" "$url" >"$codes" 2>>"$work/curl.log" || true
    fi
    t1=$(now_ns)
    ok=$(grep -c '^200$' "$codes" || true)
    [ "$ok" -eq "$peer_n" ] || note "webhook: $ok of $peer_n requests answered 200"
    record "peer.webhook$conns" "$(calc "$ok / (($t1 - $t0) / 1e9)")"
  done
  record peer.webhook_rss "$(rss_mib "$peer_pid" VmHWM)"
  kill "$peer_pid" 2>/dev/null || true
  wait "$peer_pid" 2>/dev/null || true
  peer_pid=""
}

# launch_daemon: eventmgrd on the existing $state and $config (start_daemon makes new ones).
launch_daemon() {
  "$eventmgrd" --state-dir "$state" --config "$config" 2>>"$state.log" &
  daemon_pid=$!
}

# fleet: $fleet_n events journaled with forwarding off, then forwarded when it is turned on
# (from the first acknowledged batch until the cursor reaches the last event: the daemon's
# start, the connection and the stream lookup are left out, as the floor leaves them out),
# then taken by a central node (likewise from its first journaled batch); the floor publishes the same records with
# the same subjects' shape and Msg-Ids from a bare nats.c loop (async publish, every PubAck).
fleet() {
  if ! command -v nats-server >/dev/null; then
    note "fleet skipped: nats-server is not installed (scripts/setup.sh installs it)"
    return
  fi
  log "fleet: $fleet_n events forwarded to nats-server -js, then taken by a central node; floor: bare nats.c async publish"
  local dir=$work/nats-$run port t0 rc=0 last first
  mkdir -p "$dir"
  nats-server -js -a 127.0.0.1 -p -1 -sd "$dir/store" -l "$dir/log" </dev/null >/dev/null 2>&1 &
  nats_pid=$!
  for _ in $(seq 200); do
    grep -q 'Server is ready' "$dir/log" 2>/dev/null && break
    sleep 0.05
  done
  port=$(grep -Eo 'client connections on 127\.0\.0\.1:[0-9]+' "$dir/log" | grep -Eo '[0-9]+$') ||
    die "nats-server did not start; see $dir/log"

  start_daemon "fleet-host-$run" 2 0
  intake_records f "$fleet_n"
  stop_daemon
  last=$(sql "SELECT max(seq) FROM events")
  sqlite3 -separator $'\t' "$state/eventmgr.db" "SELECT seq, event, payload FROM events ORDER BY seq" >"$dir/records.tsv"

  out=$("$helpers/bench_nats_floor" --url "nats://127.0.0.1:$port" --records "$dir/records.tsv" --host "fleet-host")
  record floor.nats "$(json_get records_per_s "$out")"

  printf 'forward:\n  url: nats://127.0.0.1:%s\n  host: fleet-host\n' "$port" >>"$config"
  launch_daemon
  wait_for "SELECT cursor FROM forward_state" 1 30 1 || die "forward: nothing acknowledged in 30 s; see $state.log"
  t0=$reached_ns
  first=$reached_value
  wait_for "SELECT cursor FROM forward_state" "$last" $((30 + fleet_n / 1000)) 5 || rc=$?
  [ "$rc" -eq 0 ] || note "forward timed out at event $reached_value of $last"
  record fleet.forward "$(calc "($reached_value - $first) / (($reached_ns - $t0) / 1e9)")"
  stop_daemon

  state=$work/fleet-central-$run
  config=$state.yaml
  mkdir -m 700 "$state"
  printf 'workers: 2\nstop_grace: 0\nintake:\n  nats:\n    url: nats://127.0.0.1:%s\n' "$port" >"$config"
  chmod 600 "$config"
  rc=0
  launch_daemon
  wait_for "SELECT count(*) FROM events" 1 30 1 || die "central intake: nothing journaled in 30 s; see $state.log"
  t0=$reached_ns
  first=$reached_value
  wait_for "SELECT count(*) FROM events" "$last" $((30 + fleet_n / 1000)) 5 || rc=$?
  [ "$rc" -eq 0 ] || note "central intake timed out at $reached_value of $last events"
  record fleet.central "$(calc "($reached_value - $first) / (($reached_ns - $t0) / 1e9)")"
  stop_daemon
  kill "$nats_pid" 2>/dev/null || true
  wait "$nats_pid" 2>/dev/null || true
  nats_pid=""
}

selected() { [[ ",$only," == *",$1,"* ]]; }

# web: eventmgr-web's server time (Server-Timing) per page, median of $web_requests requests,
# over a journal of $web_runs runs (one in ten failed, the last day) and $web_handlers handlers
# written with SQL. The Runs pages are keyset pages (run id < before), never OFFSET.
web_pages() {
  log "web: pages over $web_runs runs and $web_handlers handlers"
  start_daemon "web-$run" 1 0
  stop_daemon # the page needs no daemon; its database stays
  local t0 port web_pid base jar page path key
  t0=$(($(date +%s%3N) - web_runs * 500))
  sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $web_handlers)
       INSERT INTO handlers (event, priority, user, command, created_at, updated_at)
       SELECT CASE i % 2 WHEN 0 THEN 'client_create' ELSE 'domain_create' END, i % 101, 'nobody',
              '/usr/local/bin/handler-' || i || ' <new_login_name>', $t0, $t0 FROM n;
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $web_runs)
       INSERT INTO events (seq, event, payload, via, received_at, state, finished_at)
       SELECT i, 'client_create', '{\"new\":{\"login_name\":\"u' || i || '\"}}', 'pipe', $t0 + i * 500, 'done',
              $t0 + i * 500 + 3 FROM n;
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $web_runs)
       INSERT INTO runs (event_seq, handler_id, user, argv, started_at, finished_at, status, exit_code, stdout, stderr)
       SELECT i, 1 + i % $web_handlers, 'nobody', '[\"/usr/local/bin/handler\",\"u' || i || '\"]', $t0 + i * 500,
              $t0 + i * 500 + 3, CASE WHEN i % 10 = 0 THEN 'exit' ELSE 'ok' END, CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END,
              'created u' || i, '' FROM n;
       UPDATE counters SET value = $web_runs WHERE name = 'last_seq';" >/dev/null
  port=$((20000 + RANDOM % 20000))
  printf 'web:\n  listen: "127.0.0.1:%s"\n' "$port" >"$config.web"
  "$eventmgr_web" --state-dir "$state" --config "$config.web" 2>"$state.web.log" &
  web_pid=$!
  background+=("$web_pid")
  for _ in $(seq 100); do
    grep -q 'listening on' "$state.web.log" && break
    kill -0 "$web_pid" 2>/dev/null || die "eventmgr-web exited at start: $(cat "$state.web.log")"
    sleep 0.1
  done
  base="http://127.0.0.1:$port"
  jar=$work/web.cookies
  curl -s -o /dev/null -c "$jar" "$base/login?token=$(cat "$state/web-admin.token")"
  for page in "runs:/runs" "runs_older:/runs?before=$((web_runs / 2))" "runs_failed:/runs?failed=1" \
    "runs_event:/runs?event=client_create&before=$((web_runs / 5))" "run:/runs/$((web_runs - 7))" \
    "handlers:/handlers" "handlers_sorted:/handlers?sort=command&dir=desc" "status:/status"; do
    key=${page%%:*}
    path=${page#*:}
    : >"$work/web.$key"
    for _ in $(seq "$web_requests"); do
      curl -s -D - -o /dev/null -b "$jar" "$base$path" |
        sed -n 's/^Server-Timing: app;dur=\([0-9.]*\).*/\1/p' >>"$work/web.$key"
    done
    [ "$(wc -l <"$work/web.$key")" -eq "$web_requests" ] || die "web: $path did not answer $web_requests times"
    record "web.$key" "$(percentile "$work/web.$key" 0.5)"
  done
  kill "$web_pid" 2>/dev/null || true
  wait "$web_pid" 2>/dev/null || true
  unset 'background[-1]'
}

# nth KEY: the current run's value of KEY.
nth() { awk -v i="$run" '{ print $i }' <<<"${values[$1]:-}"; }

# --- the runs ------------------------------------------------------------------------------
make_handler_env
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$peer" = webhook ] && ! ensure_webhook; then
  notes+=("peer webhook skipped: not installed and not root (apt-get install webhook)")
  peer=""
fi
for run in $(seq "$runs"); do
  log "run $run of $runs"
  floors
  ! selected intake || intake
  ! selected backlog || backlog
  if selected dispatch; then
    dispatch 1 0 w1
    dispatch 2 0 w2
    dispatch 1 "$ballast_mib" w1_ballast
    dispatch 2 "$ballast_mib" w2_ballast
  fi
  ! selected latency || latency
  if selected retries; then
    retries 0 base
    retries 1 failing
    # The schedule's minimum: the same events without failures, plus the shortest retry delay
    # (-10 % jitter) of the last event that failed.
    record retries.minimum "$(calc "$(nth retries.base) + 0.9 * $retries_delay_s")"
    record ratio.retries "$(calc "$(nth retries.failing) / $(nth retries.minimum)")"
  fi
  ! selected fleet || fleet
  ! selected web || web_pages
  [ "$peer" != webhook ] || peer_webhook
  # Ratios against the floors of the same run.
  ! selected intake || record ratio.intake "$(calc "$(nth intake.rate) / $(nth floor.sqlite)")"
  if selected dispatch; then
    for key in w1 w2 w1_ballast w2_ballast; do
      loops=${key:1:1}
      record "ratio.$key" "$(calc "$(nth "dispatch.$key") / $(nth "floor.spawn$loops")")"
    done
    record ratio.ballast_w1 "$(calc "$(nth dispatch.w1_ballast) / $(nth dispatch.w1)")"
    record ratio.ballast_w2 "$(calc "$(nth dispatch.w2_ballast) / $(nth dispatch.w2)")"
  fi
  if selected latency; then
    record ratio.latency_p50 "$(calc "$(nth latency.ms_p50) / $(nth floor.start_ms_p50)")"
    record ratio.latency_p99 "$(calc "$(nth latency.ms_p99) / $(nth floor.start_ms_p99)")"
  fi
  if selected fleet && [ -n "$(nth floor.nats)" ]; then
    record ratio.forward "$(calc "$(nth fleet.forward) / $(nth floor.nats)")"
    record ratio.central "$(calc "$(nth fleet.central) / $(nth floor.nats)")"
  fi
  if [ "$peer" = webhook ]; then
    record ratio.webhook1 "$(calc "$(nth peer.webhook1) / $(nth floor.spawn1)")"
    record ratio.webhook4 "$(calc "$(nth peer.webhook4) / $(nth floor.spawn2)")"
  fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report --------------------------------------------------------------------------------
# stats KEY: "median min max" of the key's values ("- - -" when none).
stats() {
  [ -n "${values[$1]:-}" ] || { echo "- - -"; return; }
  tr ' ' '\n' <<<"${values[$1]}" | sort -g |
    awk 'function f(x) { return sprintf(x >= 1000 || x <= -1000 ? "%.0f" : x >= 10 || x <= -10 ? "%.1f" : "%.3g", x) }
      { v[NR] = $1 }
      END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print f(m), f(v[1]), f(v[NR]) }'
}
cell() {
  local s
  read -r -a s <<<"$(stats "$1")"
  if [ "${s[0]}" = - ]; then
    echo "-"
  elif [ "$runs" -eq 1 ]; then
    echo "${s[0]}"
  else
    echo "${s[0]} (${s[1]}..${s[2]})"
  fi
}
# check KEY OP LIMIT: "ok" or "MISS" for the median.
check() {
  local m
  m=$(stats "$1" | cut -d' ' -f1)
  [ "$m" != - ] || { echo "-"; return; }
  awk "BEGIN { exit !($m $2 $3) }" && echo ok || echo MISS
}
row() { printf '%-42s %-22s %-22s %-20s %s\n' "$@"; }

echo
echo "eventmgr bench: $runs run(s)$([ "$quick" -eq 1 ] && echo ", --quick (counts / 10)"), $(nproc) cores, load $load_before -> $load_after, $(id -un)"
row "figure" "value" "floor" "ratio" "goal"
row "intake, $writers writers (records/s)" "$(cell intake.rate)" "$(cell floor.sqlite)" "$(cell ratio.intake)" ">= 0.5 $(check ratio.intake '>=' 0.5)"
row "dispatch, 1 worker (runs/s)" "$(cell dispatch.w1)" "$(cell floor.spawn1)" "$(cell ratio.w1)" ">= 0.9 $(check ratio.w1 '>=' 0.9)"
row "dispatch, 2 workers (runs/s)" "$(cell dispatch.w2)" "$(cell floor.spawn2)" "$(cell ratio.w2)" ">= 0.9 $(check ratio.w2 '>=' 0.9)"
row "dispatch, 1 worker, ${ballast_mib} MiB ballast" "$(cell dispatch.w1_ballast)" "$(cell floor.spawn1)" "$(cell ratio.w1_ballast)" ">= 0.9 $(check ratio.w1_ballast '>=' 0.9)"
row "dispatch, 2 workers, ${ballast_mib} MiB ballast" "$(cell dispatch.w2_ballast)" "$(cell floor.spawn2)" "$(cell ratio.w2_ballast)" ">= 0.9 $(check ratio.w2_ballast '>=' 0.9)"
row "  ballast / no ballast, 1 worker" "" "" "$(cell ratio.ballast_w1)" "flat $(check ratio.ballast_w1 '>=' 0.9)"
row "  ballast / no ballast, 2 workers" "" "" "$(cell ratio.ballast_w2)" "flat $(check ratio.ballast_w2 '>=' 0.9)"
row "latency p50, ${latency_rate}/s (ms)" "$(cell latency.ms_p50)" "$(cell floor.start_ms_p50)" "$(cell ratio.latency_p50)" "report"
row "latency p99, ${latency_rate}/s (ms)" "$(cell latency.ms_p99)" "$(cell floor.start_ms_p99)" "$(cell ratio.latency_p99)" "report"
row "retries: $retries_n events, 10 % fail once (s)" "$(cell retries.failing)" "$(cell retries.minimum)" "$(cell ratio.retries)" "report"
row "  the same, no failures (s)" "$(cell retries.base)" "" "" "report"
row "  runs that exited 75 / retried ok" "$(cell retries.failed) / $(cell retries.retried)" "" "" "report"
row "forward to JetStream (events/s)" "$(cell fleet.forward)" "$(cell floor.nats)" "$(cell ratio.forward)" ">= 0.5 $(check ratio.forward '>=' 0.5)"
row "central intake from JetStream (events/s)" "$(cell fleet.central)" "$(cell floor.nats)" "$(cell ratio.central)" "report"
row "RSS idle (MiB)" "$(cell rss.idle)" "" "" "< 10 $(check rss.idle '<' 10)"
row "RSS after intake, no handlers (MiB)" "$(cell rss.after_intake)" "" "" "report"
row "RSS, $backlog_n-event backlog (MiB)" "$(cell rss.backlog)" "" "" "< 48 $(check rss.backlog '<' 48)"
row "  peak (VmHWM) (MiB)" "$(cell rss.backlog_hwm)" "" "" "< 48 $(check rss.backlog_hwm '<' 48)"
if selected web; then
  for key in runs runs_older runs_failed runs_event run handlers handlers_sorted status; do
    row "web page $key, server time (ms)" "$(cell "web.$key")" "" "" "report"
  done
fi
if [ -n "${values[peer.webhook1]:-}" ]; then
  row "peer webhook, 1 conn (req/s)" "$(cell peer.webhook1)" "$(cell floor.spawn1)" "$(cell ratio.webhook1)" "peer"
  row "peer webhook, 4 conns (req/s)" "$(cell peer.webhook4)" "$(cell floor.spawn2)" "$(cell ratio.webhook4)" "peer"
  row "peer webhook peak RSS (MiB)" "$(cell peer.webhook_rss)" "" "" "peer"
fi
echo "floors: SQLite 100 rows/txn FULL; posix_spawn+waitpid /bin/true loops (1, 2); date +%s%N spawn-to-running;"
echo "        bare nats.c js_PublishAsync of the same records with the same Msg-Ids, every PubAck awaited"
echo "spawn floor per-launch p50: $(cell floor.spawn1_us_p50) us (1 loop), $(cell floor.spawn2_us_p50) us (2 loops)"
for n in "${notes[@]}"; do
  echo "note: $n"
done

# Raw figures, one array per key (values in run order), plus the machine.
json=$build/results.json
{
  printf '{\n  "started": "%s",\n  "runs": %s,\n  "quick": %s,\n' "$started" "$runs" "$([ "$quick" -eq 1 ] && echo true || echo false)"
  printf '  "machine": {"cores": %s, "cpu": "%s", "kernel": "%s", "mem_mib": %s, "load_before": "%s", "load_after": "%s", "user": "%s"},\n' \
    "$(nproc)" "$(awk -F': ' '/^model name/ { gsub(/["\\]/, ""); print $2; exit }' /proc/cpuinfo)" "$(uname -r)" \
    "$(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo)" "$load_before" "$load_after" "$(id -un)"
  printf '  "commit": "%s",\n' "$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf '  "counts": {"intake": %s, "writers": %s, "dispatch": %s, "ballast_mib": %s, "latency": %s, "latency_rate": %s, "backlog": %s, "peer": %s, "retries": %s, "fleet": %s, "web_runs": %s, "web_handlers": %s},\n' \
    "$intake_n" "$writers" "$dispatch_n" "$ballast_mib" "$latency_n" "$latency_rate" "$backlog_n" "$peer_n" "$retries_n" "$fleet_n" "$web_runs" "$web_handlers"
  printf '  "figures": {'
  sep=""
  for key in $(printf '%s\n' "${!values[@]}" | sort); do
    printf '%s\n    "%s": [%s]' "$sep" "$key" "${values[$key]// /, }"
    sep=","
  done
  printf '\n  },\n  "notes": ['
  sep=""
  for n in "${notes[@]}"; do
    n=${n//\\/\\\\}
    n=${n//\"/\\\"}
    printf '%s\n    "%s"' "$sep" "$(tr -d '\n\t' <<<"$n")"
    sep=","
  done
  printf '\n  ]\n}\n'
} >"$json"
echo "raw figures: $json"
