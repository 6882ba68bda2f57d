#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 4, behaviour 8: with two workers, one domain's events run one after another in
# submission order (never two unfinished events sharing a key), while other domains' events
# are interleaved with them.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

handler_script order <<'EOF'
if [ "$1" = a.com ]; then
  echo "start $2" >>@OUT@/a.log
  sleep 0.1
  echo "end $2" >>@OUT@/a.log
else
  echo "$1 $2" >>@OUT@/other.log
fi
EOF

cat >"$TMP/eventmgr.yaml" <<'EOF'
workers: 2
EOF
chmod 644 "$TMP/eventmgr.yaml"
start_daemon --config "$TMP/eventmgr.yaml"
add_handler --event domain_status_update --command "$BIN/order <new_domain_name> <new_status>" >/dev/null

count=20
for n in $(seq 1 "$count"); do
  to_pipe "{\"event\":\"domain_status_update\",\"id\":\"a-$n\",\"new\":{\"domain_name\":\"a.com\",\"status\":\"$n\"}}"
  to_pipe "{\"event\":\"domain_status_update\",\"id\":\"o-$n\",\"new\":{\"domain_name\":\"other$((n % 3)).example\",\"status\":\"$n\"}}"
done

wait_for "[ \"\$(lines \"\$OUT/a.log\")\" -ge $((2 * count)) ] && [ \"\$(lines \"\$OUT/other.log\")\" -ge $count ]" 60

for n in $(seq 1 "$count"); do
  echo "start $n"
  echo "end $n"
done >"$TMP/want"
diff -u "$TMP/want" "$OUT/a.log" || fail "a.com's events did not run one at a time in submission order"
# Each other domain's events ran in their order too.
for d in 0 1 2; do
  grep "^other$d.example " "$OUT/other.log" >"$TMP/got.$d" || true
  for n in $(seq 1 "$count"); do
    [ $((n % 3)) -ne "$d" ] || echo "other$d.example $n"
  done >"$TMP/want.$d"
  diff -u "$TMP/want.$d" "$TMP/got.$d" || fail "other$d.example's events ran out of order"
done
stop_daemon
