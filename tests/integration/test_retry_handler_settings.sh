#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A handler's retry settings (docs/RELIABILITY.md): handler add/update take --retries, --retry-on and
# --retry-delays, refuse bad values naming the valid ones (exit 2), fall back to the config's
# retries/retry_on/retry_delays when unset or set to default; show, --json, export and import
# carry them; handler test shows EVENTMGR_ATTEMPT=1.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cat >"$TMP/eventmgr.yaml" <<'EOF'
retries: 3
retry_on: failure
retry_delays: [30s, 5m]
EOF
chmod 644 "$TMP/eventmgr.yaml"
em() { "$EVENTMGR_BIN" --state-dir "$STATE" --config "$TMP/eventmgr.yaml" "$@"; }

id=$(em handler add --user "$HUSER" --event client_create --command /bin/true --retries 7 --retry-on tempfail \
  --retry-delays 10s,1m,2h)
plain=$(em handler add --user "$HUSER" --event client_create --command /bin/true)

em handler show "$plain" >"$TMP/plain"
grep -qx 'retries: 3 (default)' "$TMP/plain" && grep -qx 'retry_on: failure (default)' "$TMP/plain" &&
  grep -qx 'retry_delays: 30s,5m (default)' "$TMP/plain" || fail "show does not give the config's defaults: $(cat "$TMP/plain")"
[ "$(em --json handler show "$id" | python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["retries"], h["retry_on"], h["retry_delays"])')" = "7 tempfail 10s,1m,2h" ] ||
  fail "show --json lacks the retry settings: $(em --json handler show "$id")"

not 2 em handler update "$id" --retries 101
grep -q "invalid retries '101': use an integer 0..100 (0: never retry), or default" "$TMP/not.out" || fail "bad --retries: $(cat "$TMP/not.out")"
not 2 em handler update "$id" --retry-on always
grep -q "invalid retry_on 'always': use tempfail" "$TMP/not.out" || fail "bad --retry-on: $(cat "$TMP/not.out")"
not 2 em handler update "$id" --retry-delays 10s,soon
grep -q "invalid retry delay 'soon'" "$TMP/not.out" || fail "bad --retry-delays: $(cat "$TMP/not.out")"
not 2 "$EVENTMGR_BIN" --state-dir "$STATE" --config <(printf 'retry_on: sometimes\n') status
grep -q "retry_on: 'sometimes' is not valid; valid: tempfail, failure" "$TMP/not.out" || fail "bad retry_on in the config: $(cat "$TMP/not.out")"

# Export, import --replace: the same settings.
em handler export >"$TMP/export.yaml"
grep -q 'retry_delays: \[10s, 1m, 2h\]' "$TMP/export.yaml" || fail "export lacks retry_delays: $(cat "$TMP/export.yaml")"
em handler import --replace "$TMP/export.yaml" >/dev/null
[ "$(em --json handler show "$id" | python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["retries"], h["retry_on"], h["retry_delays"])')" = "7 tempfail 10s,1m,2h" ] ||
  fail "import did not keep the retry settings"
[ "$(em --json handler show "$plain" | python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["retries"], h["retry_on"], h["retry_delays"])')" = "None None None" ] ||
  fail "import gave a handler without settings its own"

em handler update "$id" --retries default --retry-on default --retry-delays default >/dev/null
grep -qx 'retries: 3 (default)' <(em handler show "$id") || fail "--retries default did not reset it"

em handler test "$id" >"$TMP/test.out"
grep -q 'EVENTMGR_ATTEMPT = \[1\]' "$TMP/test.out" || fail "handler test does not show EVENTMGR_ATTEMPT: $(cat "$TMP/test.out")"
