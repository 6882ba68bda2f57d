#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 13: the modern Plesk catalog is a second built-in catalog, on by default
# (`catalogs: [seed, plesk-obsidian]`); `eventmgr events` shows where each event and parameter
# comes from and whether it is verified; a modern-only event (site_create) takes handlers and
# runs them; with `catalogs: [seed]` it is unknown; an unknown catalog name is refused naming
# the valid ones.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd python3

# 1. The list: both catalogs by default, with the CATALOG and VERIFIED columns.
em events >"$TMP/events"
head -n 1 "$TMP/events" | grep -Eq '^EVENT +KIND +CATALOG +VERIFIED +DESCRIPTION$' ||
  fail "unexpected header: $(head -n 1 "$TMP/events")"
grep -Eq '^site_create +create +plesk-obsidian +yes +Domain created' "$TMP/events" ||
  fail "site_create is not listed from plesk-obsidian: $(grep site_create "$TMP/events")"
grep -Eq '^domain_alias_create +create +seed\+plesk-obsidian +yes +Domain alias created$' "$TMP/events" ||
  fail "domain_alias_create is not one entry of both catalogs: $(grep domain_alias_create "$TMP/events")"
grep -Eq '^dashboard_preset_create +create +seed +yes ' "$TMP/events" || fail "a seed-only event is missing"
grep -Eq '^site_dns_update +update +plesk-obsidian +no ' "$TMP/events" || fail "a guessed event is not marked unverified"
[ "$(grep -c '^domain_alias_create ' "$TMP/events")" -eq 1 ] || fail "domain_alias_create listed twice"

# --unverified and --catalog select; a catalog that is not loaded is refused naming the loaded.
em events --unverified >"$TMP/unverified"
grep -q '^site_dns_update ' "$TMP/unverified" || fail "--unverified lacks site_dns_update"
if grep -Eq '^(client_create|site_create) ' "$TMP/unverified"; then fail "--unverified lists verified events"; fi
em events --catalog seed >"$TMP/seed"
if grep -q '^site_create ' "$TMP/seed"; then fail "--catalog seed lists site_create"; fi
grep -q '^domain_alias_create ' "$TMP/seed" || fail "--catalog seed lacks domain_alias_create"
not 2 em events --catalog plesk-onyx
grep -qF "no loaded catalog is named 'plesk-onyx'; loaded: seed, plesk-obsidian" "$TMP/not.out" ||
  fail "--catalog with an unknown name: $(cat "$TMP/not.out")"

# --json: the catalogs and the flag of each event.
em --json events | python3 -c '
import json, sys
events = {e["name"]: e for e in json.load(sys.stdin)}
assert events["site_create"]["catalogs"] == ["plesk-obsidian"] and events["site_create"]["verified"], events["site_create"]
assert events["domain_alias_create"]["catalogs"] == ["seed", "plesk-obsidian"], events["domain_alias_create"]
assert events["ssl_web_binding_update"]["verified"] is False and events["ssl_web_binding_update"]["key"] == ""
' || fail "events --json"

# 2. One event: where it and each parameter come from.
em events domain_alias_create >"$TMP/alias"
grep -Eq '^seed +yes +schema/events\.yaml:[0-9]+ +Domain alias created$' "$TMP/alias" || fail "no seed source line: $(cat "$TMP/alias")"
grep -Eq '^plesk-obsidian +no +schema/catalogs/plesk-obsidian\.yaml:[0-9]+ +Default domain, alias created$' "$TMP/alias" ||
  fail "no plesk-obsidian source line: $(cat "$TMP/alias")"
grep -Eq '^Domain alias name +old_domain_alias_name +new_domain_alias_name +yes +seed\+plesk-obsidian +yes$' "$TMP/alias" ||
  fail "the shared parameter does not name both catalogs: $(cat "$TMP/alias")"
grep -Eq '^Domain name +old_domain_name +new_domain_name +plesk-obsidian +no$' "$TMP/alias" ||
  fail "the modern parameter is not from plesk-obsidian, unverified: $(cat "$TMP/alias")"
em events ssl_web_binding_update | grep -q '^no parameters known$' || fail "an event without parameters"
em --json events domain_alias_create | python3 -c '
import json, sys
e = json.load(sys.stdin)
assert [s["catalog"] for s in e["sources"]] == ["seed", "plesk-obsidian"], e["sources"]
p = {x["name"]: x for x in e["params"]}
assert p["domain_name"]["catalogs"] == ["plesk-obsidian"] and not p["domain_name"]["verified"] and not p["domain_name"]["required"]
assert p["domain_alias_name"]["catalogs"] == ["seed", "plesk-obsidian"] and p["domain_alias_name"]["verified"]
' || fail "events domain_alias_create --json"

# 3. The config picks the catalogs; an unknown name is refused with the valid ones.
printf 'catalogs: [seed]\n' >"$TMP/seed.yaml"
em --config "$TMP/seed.yaml" events >"$TMP/seed-only"
if grep -q '^site_create ' "$TMP/seed-only"; then fail "catalogs: [seed] still lists site_create"; fi
grep -Eq '^domain_alias_create +create +seed +yes ' "$TMP/seed-only" || fail "catalogs: [seed] lacks the seed's events"
printf 'workers: 2\ncatalogs: [seed, plesk-onyx]\n' >"$TMP/bad.yaml"
not 2 em --config "$TMP/bad.yaml" events
grep -qF "bad.yaml:2: catalogs: unknown catalog 'plesk-onyx'; valid: seed, plesk-obsidian" "$TMP/not.out" ||
  fail "an unknown catalog name: $(cat "$TMP/not.out")"

# 4. A modern-only event takes a handler and runs it.
handler_script site <<'EOF2'
printf '%s %s\n' "$1" "$NEW_DOMAIN_NAME" >>@OUT@/site
EOF2
start_daemon
add_handler --event site_create --command "$BIN/site <new_domain_name>" >/dev/null
em handler list | grep -q site_create || fail "the site_create handler is not listed"
to_pipe '{"event":"site_create","id":"s1","new":{"domain_name":"second.example"}}'
wait_for '[ "$(lines "$OUT/site")" -ge 1 ]' 30
[ "$(cat "$OUT/site")" = "second.example second.example" ] || fail "site_create handler got: $(cat "$OUT/site")"
stop_daemon
