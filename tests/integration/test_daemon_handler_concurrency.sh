#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 14: --concurrency 1 with 4 workers: two runs of the handler never overlap. Each run
# notes its start and end under flock; the test checks every start follows the previous end.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd sqlite3
require_cmd flock

handler_script slow <<'EOF'
exec 9>>@OUT@/lock
flock 9; printf 'start %s\n' "$1" >>@OUT@/trace; flock -u 9
sleep 0.2
flock 9; printf 'end %s\n' "$1" >>@OUT@/trace; flock -u 9
EOF

cat >"$TMP/eventmgr.yaml" <<'YAML'
workers: 4
YAML
chmod 644 "$TMP/eventmgr.yaml"
start_daemon --config "$TMP/eventmgr.yaml"
add_handler --event client_create --command "$BIN/slow <new_login_name>" --concurrency 1 >/dev/null
for i in 1 2 3 4 5 6; do
  to_pipe '{"event":"client_create","id":"c'$i'","new":{"login_name":"u'$i'","contact_name":"C"}}'
done
wait_for 'events_done 6' 60
awk '$1 == "start" { if (open) { bad = 1 } open = 1 } $1 == "end" { open = 0 } END { exit bad }' "$OUT/trace" ||
  fail "two runs overlapped: $(cat "$OUT/trace")"
[ "$(grep -c '^start' "$OUT/trace")" -eq 6 ] || fail "trace: $(cat "$OUT/trace")"
stop_daemon
