#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# usage: EVENTMGR_BIN=build/debug/cli/eventmgr EVENTMGR_SOURCE_DIR=. tests/integration/test_handler_cli.sh
# The `eventmgr handler` commands on a temporary state dir: the seed's example registers and
# renders, list order follows priority, refusals exit 2, `test --run` runs, export/import
# round-trips.
set -euo pipefail

: "${EVENTMGR_BIN:?set EVENTMGR_BIN to the eventmgr binary}"
: "${EVENTMGR_SOURCE_DIR:?set EVENTMGR_SOURCE_DIR to the source tree}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eventmgr-handler-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# When root, handlers run as nobody: the scripts and their directories must be reachable.
chmod 0755 "$tmp"
state="$tmp/state"
config="$tmp/eventmgr.yaml"
# A config of our own, so that /etc/eventmgr/eventmgr.yaml on this machine changes nothing.
printf 'default_user: nobody\ndefault_timeout: 60\nallow_root: true\n' >"$config"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

em() {
  "$EVENTMGR_BIN" --config "$config" --state-dir "$state" "$@"
}

# not CODE COMMAND...: COMMAND must fail with exit code CODE.
not() {
  local expected=$1
  shift
  local code=0
  "$@" >"$tmp/not.out" 2>"$tmp/not.err" || code=$?
  if [[ $code -ne $expected ]]; then
    cat "$tmp/not.out" "$tmp/not.err" >&2
    fail "expected exit $expected, got $code: $*"
  fi
}

# expect_in FILE TEXT: FILE holds the line TEXT exactly.
expect_line() {
  grep -qxF -- "$2" "$1" || {
    cat "$1" >&2
    fail "no line '$2' in $1"
  }
}

# --- the seed's example ---------------------------------------------------------------------
scripts="$tmp/path with space"
mkdir -p "$scripts"
cat >"$scripts/test-handler.sh" <<'EOF'
#!/bin/sh
# Prints each argument on its own line, with visible boundaries.
for arg in "$@"; do
  printf '<%s>\n' "$arg"
done
EOF
chmod 0755 "$scripts" "$scripts/test-handler.sh"
code=0
"$scripts/test-handler.sh" probe >/dev/null 2>&1 || code=$?
if [[ $code -eq 126 ]]; then
  echo "SKIP: cannot execute scripts in $tmp (noexec mount?)" >&2
  exit 125
fi

id=$(em handler add --event client_create \
  --command "\"$scripts/test-handler.sh\" <new_contact_name> <new_login_name>")
[[ $id =~ ^[0-9]+$ ]] || fail "handler add printed '$id', not an id"
[[ -d $state ]] || fail "the state dir was not created"
[[ $(stat -c %a "$state") == 750 ]] || fail "the state dir has mode $(stat -c %a "$state"), not 750"

em handler test "$id" new.contact_name='John Doe' new.login_name=jdoe >"$tmp/test.out"
expect_line "$tmp/test.out" "  argv[0] = [$scripts/test-handler.sh]"
expect_line "$tmp/test.out" "  argv[1] = [John Doe]"
expect_line "$tmp/test.out" "  argv[2] = [jdoe]"
expect_line "$tmp/test.out" "  NEW_CONTACT_NAME = [John Doe]"
expect_line "$tmp/test.out" "  OLD_CONTACT_NAME = []"
expect_line "$tmp/test.out" "  EVENT = [client_create]"
# An empty value keeps its position as an empty argument.
em handler test "$id" new.login_name=jdoe >"$tmp/test.out"
expect_line "$tmp/test.out" "  argv[1] = []"
expect_line "$tmp/test.out" "  argv[2] = [jdoe]"
em --json handler test "$id" new.contact_name='John Doe' new.login_name=jdoe >"$tmp/test.json"
grep -qF "\"argv\":[\"$scripts/test-handler.sh\",\"John Doe\",\"jdoe\"]" "$tmp/test.json" ||
  fail "handler test --json argv: $(cat "$tmp/test.json")"
not 2 em handler test "$id" new.no_such_param=x
not 2 em handler test "$id" contact_name=x
not 2 em handler test 999999

# --- handler test --run (as nobody when root) ----------------------------------------------
em handler test "$id" new.contact_name='John Doe' new.login_name='$(id) `x`; y' --run >"$tmp/run.out"
expect_line "$tmp/run.out" "  <John Doe>"
expect_line "$tmp/run.out" '  <$(id) `x`; y>'
if [[ $(id -u) -eq 0 ]]; then
  grep -q '^result: ok (as nobody, ' "$tmp/run.out" || fail "run as root did not run as nobody: $(cat "$tmp/run.out")"
else
  grep -q '^result: ok ' "$tmp/run.out" || fail "run failed: $(cat "$tmp/run.out")"
fi
failing=$(em handler add --event client_create --command '/bin/sh -c "echo oops >&2; exit 3"')
not 1 em handler test "$failing" --run
grep -qx 'result: exit 3 .*' "$tmp/not.out" || fail "exit status not shown: $(cat "$tmp/not.out")"
expect_line "$tmp/not.out" "  oops"
em handler remove "$failing" >/dev/null

# --- secrets never shown --------------------------------------------------------------------
# A secret never goes into argv (every local user reads it in ps), not even with --secrets.
not 2 em handler add --event client_create --secrets --command '/bin/echo <new_password>'
grep -q 'is secret and may not be in the command' "$tmp/not.err" || fail "no reason for the secret refusal"
secret=$(em handler add --event client_create --secrets --command '/bin/sh -c "echo \"\$NEW_PASSWORD\""')
em handler test "$secret" new.password=hunter2 >"$tmp/secret.out"
if grep -q hunter2 "$tmp/secret.out"; then
  fail "a secret value appears in handler test output"
fi
no_secrets=$(em handler add --event client_create --command '/bin/echo <new_login_name>')
em handler test "$no_secrets" new.password=hunter2 --run >"$tmp/secret.out"
if grep -q -e hunter2 -e NEW_PASSWORD "$tmp/secret.out"; then
  fail "a secret reaches a handler without --secrets"
fi
em handler remove "$secret" "$no_secrets" >/dev/null

# --- list order follows priority ------------------------------------------------------------
low=$(em handler add --event domain_create --priority low --command '/bin/echo low <new_domain_name>')
highest=$(em handler add --event domain_create --priority highest --command '/bin/echo highest')
normal=$(em handler add --event domain_create --command '/bin/echo normal')
same=$(em handler add --event domain_create --priority 50 --command '/bin/echo normal too')
order=$(em handler list --event domain_create | awk 'NR > 1 { printf "%s ", $1 }')
[[ $order == "$highest $normal $same $low " ]] || fail "list order '$order', expected '$highest $normal $same $low '"
# Global options also after the command; the whole list groups by event.
"$EVENTMGR_BIN" handler list --state-dir "$state" --config "$config" >"$tmp/list.out"
[[ $(awk 'NR > 1 { print $2 }' "$tmp/list.out" | uniq | tr '\n' ' ') == "client_create domain_create " ]] ||
  fail "list not grouped by event: $(cat "$tmp/list.out")"
em handler list --json --event domain_create | grep -q "\"id\":$highest,\"event\":\"domain_create\",\"priority\":100" ||
  fail "handler list --json"

# show, update, enable/disable, remove
em handler update "$low" --priority high --description 'now high' >/dev/null
em handler show "$low" >"$tmp/show.out"
expect_line "$tmp/show.out" "priority: 75"
expect_line "$tmp/show.out" "description: now high"
em handler disable "$normal" >/dev/null
em --json handler show "$normal" | grep -q '"enabled":false' || fail "disable did not disable"
em handler enable "$normal" >/dev/null
not 2 em handler enable "$normal" 999999
not 2 em handler show 999999
not 2 em handler update "$low" --command 'relative.sh'
em handler show "$low" | grep -qx 'command: /bin/echo low <new_domain_name>' || fail "a refused update changed the handler"

# --- refusals exit 2 ------------------------------------------------------------------------
not 2 em handler add --event client_creat --command /bin/true
grep -q "did you mean client_create" "$tmp/not.err" || fail "no suggestion for an unknown event"
not 2 em handler add --event client_create --command '/bin/echo <new_no_such_name>'
grep -q "valid: .*<new_login_name>" "$tmp/not.err" || fail "the refusal does not name the valid parameters"
not 2 em handler add --event client_create --command 'bin/handler.sh'
not 2 em handler add --event client_create --command '/bin/sh -c "echo <new_login_name>"'
not 2 em handler add --event client_create --command '/bin/echo <new_password>'
not 2 em handler add --event client_create --command /bin/true --user no-such-user-eventmgr
not 2 em handler add --event client_create --command /bin/true --priority 1000001
not 2 em handler add --event client_create --command /bin/true --priority urgent
not 2 em handler add --event client_create --command /bin/true --timeout 0
not 2 em handler add --event client_create --command /bin/true --stdin xml
not 2 em handler add --event client_create --command '/bin/echo %1'
not 2 em handler add --event client_create
# Shell syntax in a command reaches the program as plain words (no shell runs it): refused with
# the word and what to do, unless --literal says that is meant.
not 2 em handler add --event client_create --command '/bin/echo <new_login_name> >> /tmp/x.log'
grep -q "word 3 '>>' is a redirection to a shell, but no shell runs the command" "$tmp/not.err" ||
  fail "shell syntax: $(cat "$tmp/not.err")"
grep -q "give --literal" "$tmp/not.err" || fail "shell syntax: no word on --literal: $(cat "$tmp/not.err")"
literal_id=$(em handler add --event client_create --disabled --literal --command '/bin/echo <new_login_name> >> x') ||
  fail "handler add --literal refused"
not 2 em handler update "$literal_id" --command '/bin/echo $HOME'
em handler update "$literal_id" --command '/bin/echo $HOME' --literal >/dev/null || fail "update --literal refused"
em handler remove "$literal_id" >/dev/null
printf 'allow_root: false\n' >"$tmp/no-root.yaml"
not 2 "$EVENTMGR_BIN" --config "$tmp/no-root.yaml" --state-dir "$state" handler add --event client_create \
  --command /bin/true --user root

# --- export / import ------------------------------------------------------------------------
em handler export --file "$tmp/export1.yaml" >/dev/null
grep -qx 'handlers:' "$tmp/export1.yaml" || fail "export has no handlers: key"
state2="$tmp/state2"
"$EVENTMGR_BIN" --config "$config" --state-dir "$state2" handler import "$tmp/export1.yaml" --replace >/dev/null
"$EVENTMGR_BIN" --config "$config" --state-dir "$state2" handler export --file "$tmp/export2.yaml" >/dev/null
cmp "$tmp/export1.yaml" "$tmp/export2.yaml" || fail "export, import --replace, export is not the same file"
# The imported handlers behave the same.
"$EVENTMGR_BIN" --config "$config" --state-dir "$state2" handler test "$id" new.contact_name='John Doe' \
  new.login_name=jdoe >"$tmp/test2.out"
expect_line "$tmp/test2.out" "  argv[1] = [John Doe]"
# Without --replace, import is idempotent: the handlers already registered with the same
# definition are left out (importing an export twice must not run every handler twice).
count=$(grep -c '^  - id:' "$tmp/export1.yaml")
out=$("$EVENTMGR_BIN" --config "$config" --state-dir "$state2" handler import "$tmp/export1.yaml") ||
  fail "import without --replace failed"
[ "$out" = "imported 0 handlers; $count were already registered with the same definition and left as is" ] ||
  fail "import of handlers already there: $out"
[[ $("$EVENTMGR_BIN" --config "$config" --state-dir "$state2" handler list | tail -n +2 | wc -l) -eq "$count" ]] ||
  fail "import without --replace duplicated handlers"
# A changed handler is not the same: it is added under a new id.
sed '0,/priority: [0-9]*/s//priority: 999/' "$tmp/export1.yaml" >"$tmp/export3.yaml"
out=$("$EVENTMGR_BIN" --config "$config" --state-dir "$state2" handler import "$tmp/export3.yaml")
[ "$out" = "imported 1 handler; $((count - 1)) were already registered with the same definition and left as is" ] ||
  fail "import of one changed handler: $out"
[[ $("$EVENTMGR_BIN" --config "$config" --state-dir "$state2" handler list | tail -n +2 | wc -l) -eq $((count + 1)) ]] ||
  fail "import did not add the changed handler"

# A bad file imports nothing and names every problem by line.
cat >"$tmp/bad.yaml" <<'EOF'
handlers:
  - event: client_create
    command: /bin/true
  - event: client_creat
    command: /bin/true
  - event: client_create
    command: /bin/echo <new_nope>
    priority: urgent
EOF
before=$(em handler export)
not 2 em handler import "$tmp/bad.yaml" --replace
grep -q "bad.yaml:4: unknown event 'client_creat'" "$tmp/not.err" || fail "import: $(cat "$tmp/not.err")"
grep -q "bad.yaml:7: unknown parameter <new_nope>" "$tmp/not.err" || fail "import: $(cat "$tmp/not.err")"
grep -q "bad.yaml:8: invalid priority 'urgent'" "$tmp/not.err" || fail "import: $(cat "$tmp/not.err")"
[[ $(em handler export) == "$before" ]] || fail "a refused import changed the handlers"

echo "ok"
