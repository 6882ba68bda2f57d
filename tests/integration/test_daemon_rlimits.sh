#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 6: the config's rlimits reach every handler process; a CPU-bound handler is stopped by
# its CPU limit (SIGXCPU/SIGKILL) and recorded as killed by a signal.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3

cat >"$TMP/config.yaml" <<'EOF'
retries: 0 # its failed runs are the point here, not their retries (test_retry_*)
rlimits:
  cpu_seconds: 1
  open_files: 17
  address_space_mib: 512
EOF
chmod 600 "$TMP/config.yaml"

handler_script limits <<'EOF'
{ ulimit -n; ulimit -t; ulimit -v; } >@OUT@/limits
EOF
handler_script spin <<'EOF'
while :; do :; done
EOF

start_daemon --config "$TMP/config.yaml"
add_handler --event domain_create --command "$BIN/limits" >/dev/null
add_handler --event domain_create --command "$BIN/spin" --timeout 30 >/dev/null
to_pipe '{"event":"domain_create","id":"r1","new":{"domain_name":"limits.example"}}'
wait_for "events_done 1" 60

printf '17\n1\n524288\n' >"$TMP/want"
cmp -s "$TMP/want" "$OUT/limits" || fail "handler saw limits $(tr '\n' ' ' <"$OUT/limits"), want 17 1 524288"
status=$(db "SELECT status || ' ' || coalesce(signal, '') FROM runs WHERE handler_id = 2")
case $status in
  "signal 24" | "signal 9") ;; # SIGXCPU at the soft limit (or SIGKILL at the hard one)
  *) fail "the CPU-bound handler ended with '$status', not by its CPU limit" ;;
esac
# Not a time-out: the 30 s limit was never reached.
[ "$(db "SELECT timed_out FROM runs WHERE handler_id = 2")" -eq 0 ] || fail "the spin handler timed out"

# A bad limit stops the daemon at start with file:line.
printf 'rlimits:\n  stack_mib: 8\n' >"$TMP/bad.yaml"
chmod 600 "$TMP/bad.yaml"
stop_daemon
not 2 "$EVENTMGRD_BIN" --state-dir "$STATE" --config "$TMP/bad.yaml"
grep -q "bad.yaml:2: rlimits: unknown limit 'stack_mib'" "$TMP/not.out" || fail "unexpected message: $(cat "$TMP/not.out")"
