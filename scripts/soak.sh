#!/usr/bin/env bash
# Usage: scripts/soak.sh [RECORDS [KILLS [WRITERS]]]   (defaults: 20000 records, 8 kills, 4 writers)
# Soak test under faults: WRITERS processes write RECORDS records with ids through the FIFO,
# held open the way systemd holds it, while handlers succeed, fail, die on a signal and run
# slowly, and the daemon is killed with SIGKILL KILLS times at random moments and restarted.
# Then checks: every record journaled once, every handler ran for every event (again only
# where a kill interrupted it), nothing pending, nothing rejected, daemon memory bounded.
# Uses the binaries of build/debug unless EVENTMGR_BIN / EVENTMGRD_BIN say otherwise.
set -euo pipefail

records=${1:-20000}
kills=${2:-8}
writers=${3:-4}
max_rss_kib=$((48 * 1024))

# shellcheck source=../tests/integration/lib.sh
source "$(cd "$(dirname "$0")/.." && pwd)/tests/integration/lib.sh"

# One script serves four handlers: NAME says how it ends; it first appends "NAME ID".
handler_script soak <<'HANDLER'
echo "$1 $2" >> @OUT@/$1.log
case $1 in
  ok) exit 0 ;;
  fail) exit 3 ;;
  crash) kill -SEGV $$ ;;
  slow) sleep 0.02 ;;
esac
HANDLER
# Its failing and crashing handlers test crash recovery, not retries (test_retry_*).
printf 'workers: 2\nretries: 0\n' >"$TMP/config.yaml"
chmod 600 "$TMP/config.yaml"

start_daemon --config "$TMP/config.yaml"
for name in ok fail crash slow; do
  add_handler --event client_create --command "$BIN/soak $name <new_login_name>" >/dev/null
done
# Hold the FIFO open as systemd's ListenFIFO= does: records written while the daemon is dead
# wait in the pipe.
exec 9<>"$STATE/events.pipe"

per_writer=$(((records + writers - 1) / writers))
writer_pids=()
for w in $(seq 1 "$writers"); do
  (
    for i in $(seq 1 "$per_writer"); do
      n=$(((w - 1) * per_writer + i))
      [ "$n" -le "$records" ] || break
      printf '{"event":"client_create","id":"soak-%d","new":{"login_name":"soak-%d","contact_name":"Soak Writer %d"}}\n' \
        "$n" "$n" "$w" >"$STATE/events.pipe"
    done
  ) &
  writer_pids+=($!)
done

# The killer: SIGKILL at random moments while the writers write and handlers run.
max_hwm=0
record_hwm() {
  local hwm
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$DAEMON_PID/status" 2>/dev/null || echo 0)
  [ "${hwm:-0}" -le "$max_hwm" ] || max_hwm=$hwm
}
for _ in $(seq 1 "$kills"); do
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.2 + (r % 100) / 80 }')"
  record_hwm
  kill9_daemon
  start_daemon --config "$TMP/config.yaml"
done
for pid in "${writer_pids[@]}"; do
  wait "$pid"
done

# Everything written must end journaled and done.
wait_for "events_done $records" $((60 + records / 20))
record_hwm
stop_daemon
exec 9>&-

problems=()
journaled=$(db "SELECT count(DISTINCT submit_id) FROM events")
[ "$journaled" -eq "$records" ] || problems+=("journaled $journaled distinct records of $records")
rows=$(db "SELECT count(*) FROM events")
[ "$rows" -eq "$records" ] || problems+=("the journal holds $rows events for $records records")
rejected=$(db "SELECT count(*) FROM rejected")
[ "$rejected" -eq 0 ] || problems+=("$rejected valid records were rejected: $(db "SELECT reason FROM rejected LIMIT 3")")
pending=$(db "SELECT count(*) FROM events WHERE state <> 'done'")
[ "$pending" -eq 0 ] || problems+=("$pending events not done")
interrupted_total=$(db "SELECT count(*) FROM runs WHERE status = 'interrupted'")
runs_total=$(db "SELECT count(*) FROM runs")
for name in ok fail crash slow; do
  id=$(db "SELECT id FROM handlers WHERE command LIKE '%soak $name %'")
  # Every event has a finished run of this handler.
  finished=$(db "SELECT count(DISTINCT event_seq) FROM runs WHERE handler_id = $id AND status NOT IN ('running','interrupted')")
  [ "$finished" -eq "$records" ] || problems+=("handler $name finished for $finished of $records events")
  # What the handler saw: every id at least once, again only as often as a kill interrupted it.
  seen=$(cut -d' ' -f2 "$OUT/$name.log" | sort -u | wc -l)
  [ "$seen" -eq "$records" ] || problems+=("handler $name saw $seen of $records ids")
  repeats=$(($(lines "$OUT/$name.log") - seen))
  interrupted=$(db "SELECT count(*) FROM runs WHERE handler_id = $id AND status = 'interrupted'")
  [ "$repeats" -le "$interrupted" ] ||
    problems+=("handler $name ran $repeats times more than once, but only $interrupted runs were interrupted")
done
if sanitized_daemon; then
  echo "note: eventmgrd is built with a sanitizer (shadow memory, quarantine): peak memory not checked"
elif [ "$max_hwm" -gt "$max_rss_kib" ]; then
  problems+=("daemon peak RSS ${max_hwm} KiB is over ${max_rss_kib} KiB")
fi
duplicates=$(db "SELECT value FROM counters WHERE name = 'duplicate'")

echo "soak: records=$records writers=$writers kills=$kills journaled=$journaled runs=$runs_total" \
  "interrupted=$interrupted_total duplicates_dropped=$duplicates rejected=$rejected pending=$pending" \
  "peak_rss_kib=$max_hwm losses=$((records - journaled))"
if [ "${#problems[@]}" -gt 0 ]; then
  printf 'soak problem: %s\n' "${problems[@]}" >&2
  exit 1
fi
