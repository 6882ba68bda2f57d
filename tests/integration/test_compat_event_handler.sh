#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Plesk's event_handler front end, driven as a script written for Plesk drives it: through
# `plesk bin event_handler` with the directory `eventmgr compat path` prints first on PATH and
# EVENTMGR_STATE_DIR set. The full command set; --list byte for byte against a golden file;
# refusals (exit 1, Plesk-like wording on stderr, nothing stored); old (<new_x> placeholders)
# and new (NEW_* environment, `bash -c script`) command styles run by the real daemon.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

COMPAT=$("$EVENTMGR_BIN" compat path) || fail "eventmgr compat path failed"
[ -x "$COMPAT/event_handler" ] || fail "no executable event_handler in $COMPAT"
[ -x "$COMPAT/plesk" ] || fail "no executable plesk in $COMPAT"
export PATH="$COMPAT:$PATH" EVENTMGR_STATE_DIR=$STATE

# eh ARGS...: plesk bin event_handler ARGS, stdout to $TMP/eh.out, stderr to $TMP/eh.err.
eh() {
  plesk bin event_handler "$@" >"$TMP/eh.out" 2>"$TMP/eh.err"
}

# A state dir without a database: an empty list, and reading creates nothing.
eh --list || fail "--list on an empty state dir failed: $(cat "$TMP/eh.err")"
[ ! -s "$TMP/eh.out" ] || fail "--list printed something for no handlers: $(cat "$TMP/eh.out")"
[ ! -e "$STATE/eventmgr.db" ] || fail "--list created the database"

handler_script old-style <<'EOF2'
printf '%s\n' "$1" >@OUT@/old-style
EOF2
handler_script new-style <<'EOF2'
printf '%s\n' "$NEW_DOMAIN_NAME" >@OUT@/new-style
EOF2

# The forms seen in scripts written for Plesk: options in any order, the command one quoted word.
eh --create -event domain_create -priority 10 -user "$HUSER" -command "$BIN/old-style <new_domain_name>" ||
  fail "create (old style) failed: $(cat "$TMP/eh.err")"
grep -qx 'SUCCESS: Creation of event handler with Id 1 complete' "$TMP/eh.out" || fail "create said: $(cat "$TMP/eh.out")"
eh --create -command "bash -c $BIN/new-style" -priority 50 -user "$HUSER" -event domain_create ||
  fail "create (bash -c script) failed: $(cat "$TMP/eh.err")"
eh --create -user root -event client_create -command /bin/true -priority high || fail "create 3 failed: $(cat "$TMP/eh.err")"
eh --create -event site_create -priority 0 -user "$HUSER" -command "/bin/echo <new_domain_name>" ||
  fail "create 4 (a modern Plesk event) failed: $(cat "$TMP/eh.err")"

# update and delete
eh --update 3 -priority 20 -command "/bin/echo updated" || fail "update failed: $(cat "$TMP/eh.err")"
grep -qx 'SUCCESS: Update of event handler with Id 3 complete' "$TMP/eh.out" || fail "update said: $(cat "$TMP/eh.out")"
eh --create -event domain_delete -priority 5 -user "$HUSER" -command /bin/true || fail "create 5 failed"
eh --delete 5 || fail "delete failed: $(cat "$TMP/eh.err")"
grep -qx 'SUCCESS: Removal of event handler with Id 5 complete' "$TMP/eh.out" || fail "delete said: $(cat "$TMP/eh.out")"

# --list (and -l) byte for byte: bash's path and the test's bin dir vary by host and run.
bash_path=
for dir in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
  if [ -x "$dir/bash" ]; then
    bash_path=$dir/bash
    break
  fi
done
eh --list || fail "--list failed: $(cat "$TMP/eh.err")"
sed -e "s|$BIN|@BIN@|g" -e "s|$bash_path |@BASH@ |" "$TMP/eh.out" >"$TMP/list.txt"
diff -u "$EVENTMGR_SOURCE_DIR/tests/integration/golden/event_handler_list.txt" "$TMP/list.txt" ||
  fail "--list differs from the golden file"
cp "$TMP/eh.out" "$TMP/list.before"
eh -l || fail "-l failed"
cmp -s "$TMP/eh.out" "$TMP/list.before" || fail "-l differs from --list"

# Refusals: exit 1, the reason on stderr, nothing stored or changed.
refused() {
  local want=$1 rc=0
  shift
  plesk bin event_handler "$@" >"$TMP/eh.out" 2>"$TMP/eh.err" || rc=$?
  [ "$rc" -eq 1 ] || fail "expected exit 1, got $rc from event_handler $*: $(cat "$TMP/eh.err")"
  grep -qF -- "$want" "$TMP/eh.err" || fail "event_handler $*: stderr lacks '$want':
$(cat "$TMP/eh.err")"
  [ ! -s "$TMP/eh.out" ] || fail "event_handler $* printed on stdout: $(cat "$TMP/eh.out")"
}
refused 'An error occurred during event handler creation: unknown event' \
  --create -event no_such_event -priority 10 -user "$HUSER" -command /bin/true
refused 'event_handler --list-events lists all' --create -event domian_create -user "$HUSER" -command /bin/true
refused 'priority' --create -event domain_create -priority soon -user "$HUSER" -command /bin/true
refused 'unknown system user' --create -event domain_create -user "emt$$nouser" -command /bin/true
refused 'An error occurred during event handler creation' --create -event domain_create -user "$HUSER" -command /nonexistent/prog
refused 'An error occurred during event handler creation' \
  --create -event domain_create -user "$HUSER" -command "/bin/echo hi >> /tmp/eventmgr-x.log"
refused 'is not absolute' --create -event domain_create -user "$HUSER" -command "no-such-program-here x"
refused 'An error occurred during event handler update: no event handler with Id 99' --update 99 -priority 1
refused 'An error occurred during event handler update' --update 1 -event no_such_event
refused 'An error occurred during event handler removal: no event handler with Id 5' --delete 5
refused '--create needs -command' --create -event domain_create
refused "unknown option '-foo'" --create -event domain_create -command /bin/true -foo bar
refused 'option -event given twice' --create -event domain_create -event domain_delete -command /bin/true
refused 'option -user needs a value' --create -event domain_create -command /bin/true -user
refused 'invalid handler Id' --delete five
refused "unknown command '--remove'" --remove 1
refused 'no command given'
refused '--update needs at least one of' --update 1
refused 'takes no arguments' --list extra
refused 'Usage: event_handler' --bogus
eh --list || fail "--list failed after the refusals"
cmp -s "$TMP/eh.out" "$TMP/list.before" || fail "a refused command changed the handlers:
$(diff "$TMP/list.before" "$TMP/eh.out")"

# --list-events, --list-users, --help
eh --list-events || fail "--list-events failed"
grep -Eq '^domain_create +Domain created$' "$TMP/eh.out" || fail "--list-events lacks domain_create: $(head "$TMP/eh.out")"
grep -Eq '^site_create +[A-Z]' "$TMP/eh.out" || fail "--list-events lacks the modern site_create"
eh --list-users || fail "--list-users failed"
grep -qx nobody "$TMP/eh.out" || fail "--list-users lacks nobody"
grep -qx root "$TMP/eh.out" || fail "--list-users lacks root (root handlers are allowed by default)"
if grep -qxE 'daemon|bin|sync' "$TMP/eh.out"; then
  fail "--list-users shows a user without a login shell: $(cat "$TMP/eh.out")"
fi
eh --help || fail "--help failed"
grep -q '^Usage: event_handler' "$TMP/eh.out" || fail "--help printed no usage"

# The wrapper knows only `plesk bin event_handler`.
for args in "version" "bin domain --list" ""; do
  rc=0
  # shellcheck disable=SC2086
  plesk $args >"$TMP/p.out" 2>"$TMP/p.err" || rc=$?
  [ "$rc" -eq 1 ] || fail "plesk $args: exit $rc, expected 1"
  grep -q 'this host has no Plesk' "$TMP/p.err" || fail "plesk $args said: $(cat "$TMP/p.err")"
done

# Both command styles run: <new_domain_name> as an argument, NEW_DOMAIN_NAME in the environment.
unset EVENTMGR_STATE_DIR
start_daemon
to_pipe '{"event":"domain_create","id":"d1","new":{"domain_name":"example.com"}}'
wait_for '[ -s "$OUT/old-style" ] && [ -s "$OUT/new-style" ]' 30
[ "$(cat "$OUT/old-style")" = example.com ] || fail "old-style handler got '$(cat "$OUT/old-style")'"
[ "$(cat "$OUT/new-style")" = example.com ] || fail "new-style handler got '$(cat "$OUT/new-style")'"
stop_daemon
echo "ok: $TEST_NAME"
