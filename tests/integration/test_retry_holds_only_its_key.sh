#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A failed run waiting for its retry holds back the later events of its object only
# (docs/RELIABILITY.md): with one worker, a.com's second event waits for the retry of its first,
# while b.com's event, submitted after both, runs at once.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

handler_script order <<'EOF'
echo "$1 $2 $EVENTMGR_ATTEMPT" >>@OUT@/order.log
if [ "$1" = a.com ] && [ "$2" = 1 ] && [ "$EVENTMGR_ATTEMPT" = 1 ]; then
  exit 75
fi
exit 0
EOF

cat >"$TMP/eventmgr.yaml" <<'EOF'
workers: 1
retry_delays: [5s]
EOF
chmod 644 "$TMP/eventmgr.yaml"
start_daemon --config "$TMP/eventmgr.yaml"
add_handler --event domain_status_update --command "$BIN/order <new_domain_name> <new_status>" >/dev/null

to_pipe '{"event":"domain_status_update","id":"a1","new":{"domain_name":"a.com","status":"1"}}'
to_pipe '{"event":"domain_status_update","id":"a2","new":{"domain_name":"a.com","status":"2"}}'
to_pipe '{"event":"domain_status_update","id":"b1","new":{"domain_name":"b.com","status":"1"}}'
wait_for 'events_done 3' 30

printf '%s\n' "a.com 1 1" "b.com 1 1" "a.com 1 2" "a.com 2 1" >"$TMP/want"
diff -u "$TMP/want" "$OUT/order.log" ||
  fail "b.com did not run during a.com's retry wait, or a.com's second event did not wait for it"
stop_daemon
