#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 5: `eventmgr check` passes (exit 0) on a sound setup, and fails (exit 1) with one line
# per problem naming the handler or the file: a missing program, a program or directory its
# user cannot reach, a world-writable config, a broken catalog file, a root handler while
# allow_root is false; and (issue 12) a state dir or catalog file others can write, which
# eventmgrd refuses for the same reason.
source "$(dirname "$0")/lib.sh"
require_cmd python3

handler_script fine <<'EOF'
exit 0
EOF

start_daemon
h_fine=$(add_handler --event client_create --command "$BIN/fine <new_login_name>")
stop_daemon # check reads the files; it needs no daemon

# --- sound: exit 0 --------------------------------------------------------------------------
em check >"$TMP/check.out" 2>&1 || fail "check of a sound setup failed:
$(cat "$TMP/check.out")"
grep -q "^ok  *handler $h_fine: client_create as $HUSER: $BIN/fine$" "$TMP/check.out" ||
  fail "check does not report handler $h_fine as ok:
$(cat "$TMP/check.out")"
# The daemon is stopped: the setup is sound, and check says that nothing is handled.
[ "$(tail -n 1 "$TMP/check.out")" = "no problems in the setup; eventmgrd is not running, so nothing is handled until it starts" ] ||
  fail "check summary while the daemon is stopped: $(tail -n 1 "$TMP/check.out")"
grep -q "^note  daemon: not running" "$TMP/check.out" || fail "check does not note the stopped daemon"
start_daemon
em check >"$TMP/check.out" 2>&1 || fail "check with the daemon running failed: $(cat "$TMP/check.out")"
[ "$(tail -n 1 "$TMP/check.out")" = "no problems" ] || fail "check summary: $(tail -n 1 "$TMP/check.out")"
grep -q "^ok    daemon: running$" "$TMP/check.out" || fail "check does not report the running daemon:
$(cat "$TMP/check.out")"
stop_daemon

# A config with several errors: one FAIL line each (no literal \n), and the benchmark-only
# setting is not offered as a valid key.
printf 'workers: lots\nno_such_key: 1\n' >"$TMP/bad-config.yaml"
chmod 644 "$TMP/bad-config.yaml"
not 1 em --config "$TMP/bad-config.yaml" check
[ "$(grep -c '^FAIL  config ' "$TMP/not.out")" = 2 ] || fail "config errors are not one line each:
$(cat "$TMP/not.out")"
! grep -q 'x0a\|\\n' "$TMP/not.out" || fail "config errors joined with a literal newline escape:
$(cat "$TMP/not.out")"
! grep -q debug_ballast "$TMP/not.out" || fail "the benchmark-only setting is offered:
$(cat "$TMP/not.out")"
em check --json | python3 -c '
import json, sys
report = json.load(sys.stdin)
assert report["ok"] is True and report["problems"] == [], report
assert report["checked"]["handlers"] == 1 and report["checked"]["schema_version"] >= 1, report' ||
  fail "check --json of a sound setup"

# A config file writable only by its owner is sound too.
printf 'retention_days: 30\n' >"$TMP/eventmgr.yaml"
chmod 644 "$TMP/eventmgr.yaml"
em --config "$TMP/eventmgr.yaml" check >"$TMP/check.out" 2>&1 || fail "check with a private config failed:
$(cat "$TMP/check.out")"

# --- a missing program ----------------------------------------------------------------------
# Registration refuses a program that cannot run, naming why, as check would; --force
# registers it with a warning (and check then reports it).
not 2 em handler add --user "$HUSER" --event client_create --command "$BIN/not-there <new_login_name>"
grep -q "^eventmgr: program $BIN/not-there: No such file or directory$" "$TMP/not.out" ||
  fail "handler add of a missing program: $(cat "$TMP/not.out")"
grep -q "give --force to register the handler anyway" "$TMP/not.out" || fail "no word on --force: $(cat "$TMP/not.out")"
em handler add --user "$HUSER" --event client_create --force --command "$BIN/not-there <new_login_name>" \
  >"$TMP/forced.out" 2>"$TMP/forced.err" || fail "handler add --force refused: $(cat "$TMP/forced.err")"
h_missing=$(grep -Eo '[0-9]+' "$TMP/forced.out" | head -n 1)
grep -q "warning: program $BIN/not-there: No such file or directory (registered anyway: --force)" "$TMP/forced.err" ||
  fail "handler add --force does not warn: $(cat "$TMP/forced.err")"
# handler test reports it too, and --run refuses to run it without --force.
not 1 em handler test "$h_missing" new.login_name=x
grep -q "problem: program $BIN/not-there: No such file or directory" "$TMP/not.out" ||
  fail "handler test does not report the missing program: $(cat "$TMP/not.out")"
not 1 em handler test "$h_missing" --run new.login_name=x
grep -q "not run: the daemon could not start it either" "$TMP/not.out" || fail "handler test --run: $(cat "$TMP/not.out")"
not 1 em check
grep -q "^FAIL  handler $h_missing: program $BIN/not-there: No such file or directory$" "$TMP/not.out" ||
  fail "check does not name handler $h_missing and its missing program:
$(cat "$TMP/not.out")"
[ "$(tail -n 1 "$TMP/not.out")" = "1 problem" ] || fail "check summary: $(tail -n 1 "$TMP/not.out")"
em check --json >"$TMP/check.json" && fail "check --json exited 0 with a problem"
python3 - "$TMP/check.json" "$h_missing" <<'EOF' || fail "check --json: $(cat "$TMP/check.json")"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["ok"] is False, report
assert [p["what"] for p in report["problems"]] == ["handler " + sys.argv[2]], report
assert "not-there" in report["problems"][0]["message"], report
EOF
em handler remove "$h_missing" >/dev/null

# --- a world-writable config ----------------------------------------------------------------
chmod 666 "$TMP/eventmgr.yaml"
not 1 em --config "$TMP/eventmgr.yaml" check
grep -q "^FAIL  config $TMP/eventmgr.yaml: writable by other users (mode 0666)" "$TMP/not.out" ||
  fail "check does not name the world-writable config:
$(cat "$TMP/not.out")"
chmod 644 "$TMP/eventmgr.yaml"

# --- a root handler while allow_root is false -----------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
  h_root=$(em handler add --user root --event client_create --command "$BIN/fine")
  h_root=$(printf '%s\n' "$h_root" | grep -Eo '[0-9]+' | head -n 1)
  printf 'allow_root: false\n' >"$TMP/noroot.yaml"
  chmod 644 "$TMP/noroot.yaml"
  not 1 em --config "$TMP/noroot.yaml" check
  grep -q "^FAIL  handler $h_root: .*allow_root: false" "$TMP/not.out" ||
    fail "check accepts a root handler with allow_root: false:
$(cat "$TMP/not.out")"
  em check >/dev/null || fail "a root handler is fine while allow_root is true"
  em handler remove "$h_root" >/dev/null
fi

# --- a program or a directory the handler's user cannot reach (needs another user) ----------
if [ "$(id -u)" -eq 0 ] && [ "$HUSER" != root ]; then
  handler_script private <<'EOF'
exit 0
EOF
  chmod 700 "$BIN/private"
  h_private=$(add_handler --event client_create --force --command "$BIN/private")
  mkdir -m 700 "$TMP/locked"
  cp "$BIN/fine" "$TMP/locked/fine"
  chmod 755 "$TMP/locked/fine"
  h_locked=$(add_handler --event client_create --force --command "$TMP/locked/fine")
  not 1 em check
  grep -q "^FAIL  handler $h_private: program $BIN/private (mode 0700, uid 0, gid 0) is not executable by user $HUSER$" \
    "$TMP/not.out" || fail "check accepts a program its user cannot execute:
$(cat "$TMP/not.out")"
  grep -q "^FAIL  handler $h_locked: directory $TMP/locked (mode 0700, .*) is not searchable by user $HUSER" \
    "$TMP/not.out" || fail "check accepts a program in a directory its user cannot search:
$(cat "$TMP/not.out")"
  [ "$(tail -n 1 "$TMP/not.out")" = "2 problems" ] || fail "check summary: $(tail -n 1 "$TMP/not.out")"
  em handler remove "$h_private" "$h_locked" >/dev/null
fi

# --- a broken catalog file ------------------------------------------------------------------
mkdir -m 755 "$STATE/events.d"
printf 'events:\n  - name: ext_broken\n    kind: sideways\n' >"$STATE/events.d/broken.yaml"
not 1 em check
grep -q "^FAIL  catalog: .*broken.yaml" "$TMP/not.out" || fail "check does not name the broken catalog file:
$(cat "$TMP/not.out")"
rm "$STATE/events.d/broken.yaml"

# --- a pipe with the wrong mode -------------------------------------------------------------
chmod 666 "$STATE/events.pipe"
not 1 em check
grep -q "^FAIL  pipe $STATE/events.pipe: mode 0666, expected 0620" "$TMP/not.out" ||
  fail "check accepts a pipe with mode 0666:
$(cat "$TMP/not.out")"
chmod 620 "$STATE/events.pipe"

# --- a run ledger others can write ----------------------------------------------------------
[ -e "$STATE/eventmgr.db-ledger" ] || fail "the daemon made no run ledger beside the database"
chmod 666 "$STATE/eventmgr.db-ledger"
not 1 em check
grep -q "^FAIL  run ledger $STATE/eventmgr.db-ledger: writable by other users" "$TMP/not.out" ||
  fail "check accepts a run ledger others can write:
$(cat "$TMP/not.out")"
chmod 600 "$STATE/eventmgr.db-ledger"

# --- a state dir others can write (eventmgrd refuses to start on it) ---------------------------
chmod 777 "$STATE"
not 1 em check
grep -q "^FAIL  state dir $STATE: writable by other users (mode 0777), .*: check what it holds, then chmod go-w $STATE$" \
  "$TMP/not.out" || fail "check accepts a state dir others can write:
$(cat "$TMP/not.out")"
chmod 750 "$STATE"

# --- a catalog file others can write (eventmgrd refuses it, as check says) --------------------
printf 'events: []\n' >"$STATE/events.d/open.yaml"
chmod 666 "$STATE/events.d/open.yaml"
not 1 em check
grep -q "^FAIL  catalog: $STATE/events.d/open.yaml: refusing catalog file: writable by other users (mode 0666)" \
  "$TMP/not.out" || fail "check accepts a catalog file others can write:
$(cat "$TMP/not.out")"
rc=0
timeout 10 "$EVENTMGRD_BIN" --state-dir "$STATE" </dev/null >"$TMP/daemon-open.out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "eventmgrd started on a catalog file others can write (status $rc)"
grep -qF "$STATE/events.d/open.yaml: refusing catalog file: writable by other users (mode 0666)" "$TMP/daemon-open.out" ||
  fail "eventmgrd does not give check's reason: $(cat "$TMP/daemon-open.out")"
rm "$STATE/events.d/open.yaml"

# Everything repaired: sound again.
em check >"$TMP/check.out" 2>&1 || fail "check after the repairs failed:
$(cat "$TMP/check.out")"
