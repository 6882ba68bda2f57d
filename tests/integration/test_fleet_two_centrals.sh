#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two central daemons on one durable share the stream's events (docs/FLEET.md): three hosts
# forward 3 x 1,000 events; the union of the two central journals is exactly those events,
# each journaled by one of them, with ids <host>:<seq>.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=fleet_lib.sh
source "$(dirname "$0")/fleet_lib.sh"

per_host=${EVENTMGR_FLEET_EVENTS:-1000}
hosts=(h1 h2 h3)
total=$((per_host * ${#hosts[@]}))

start_nats
for host in "${hosts[@]}"; do
  write_host_config "$host"
  start_node "$host"
done
write_central_config c1
write_central_config c2
start_node c1
start_node c2

writers=()
for host in "${hosts[@]}"; do
  write_events "$host" "$per_host" 50 &
  writers+=($!)
done
for writer in "${writers[@]}"; do
  wait "$writer" || fail "a writer failed"
done
for host in "${hosts[@]}"; do
  wait_for "forwarded_all $host" 90
done

union_count() {
  local a b
  a=$(node_db c1 "SELECT count(*) FROM events" 2>/dev/null) || a=0
  b=$(node_db c2 "SELECT count(*) FROM events" 2>/dev/null) || b=0
  echo $((a + b))
}
wait_for '[ "$(union_count)" -ge '"$total"' ]' 120
# Let a late redelivery show, if there were one.
sleep 1

for host in "${hosts[@]}"; do
  node_db "$host" "SELECT '$host:' || seq FROM events"
done | LC_ALL=C sort >"$TMP/want_ids"
{
  node_db c1 "SELECT submit_id FROM events"
  node_db c2 "SELECT submit_id FROM events"
} | LC_ALL=C sort -u >"$TMP/union_ids"
diff -u "$TMP/want_ids" "$TMP/union_ids" >"$TMP/ids.diff" || fail "the union of the central journals differs: $(head -20 "$TMP/ids.diff")"
c1=$(node_db c1 "SELECT count(*) FROM events")
c2=$(node_db c2 "SELECT count(*) FROM events")
echo "c1 journaled $c1 events, c2 $c2 (union $(lines "$TMP/union_ids"))"
for central in c1 c2; do
  [ "$(node_db "$central" "SELECT count(*) - count(DISTINCT submit_id) FROM events")" -eq 0 ] ||
    fail "$central journaled an event twice"
done
[ $((c1 + c2)) -eq "$total" ] || fail "$((c1 + c2 - total)) events were journaled by both centrals"

for name in h1 h2 h3 c1 c2; do
  stop_node "$name"
done
