#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Review F12: values with C0 controls (ESC, BEL, newline, tab), DEL, C1 controls (U+009B is
# CSI), bidi controls (U+202E, U+2066-9, U+200F, U+061C), line separators and invalid UTF-8
# in a handler's argv, stdout and stderr, in a record id and source, reach no terminal raw:
# `eventmgr log`, `log show`, their --json forms, `handler test` (argv and environment) and
# the daemon log show them escaped, and --json still decodes to the same text.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd python3

# raw_controls FILE: true when FILE holds a C0 control other than newline, DEL, a C1 control
# (UTF-8 C2 80..C2 9F), U+061C, U+200E-F, U+2028-E, U+2066-9 or a byte that is not UTF-8.
raw_controls() {
  LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]' "$1" ||
    ! python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1" 2>/dev/null
}

# check_clean WHAT FILE: FILE (the output of WHAT) holds no raw control character.
check_clean() {
  if raw_controls "$2"; then
    fail "$1 holds raw control characters or invalid UTF-8:
$(cat -v "$2" | tail -n 20)"
  fi
}

handler_script show <<'EOF'
printf '%s\n' "$1"
printf '%s\n' "$1" >&2
printf '\377\376 raw bytes\n'
EOF

start_daemon
h=$(add_handler --event client_create --command "$BIN/show <new_contact_name>")

# The value, as JSON escapes; the id and source carry C1 and bidi controls (they refuse C0).
value='-rf /\n\tline2 \u001b[31mRED\u001b[0m \u0007 \u007f \u009b31m C1 \u202e bidi \u2066iso\u2069 \u200f \u061c \u2028 end'
to_pipe '{"event":"client_create","id":"id\u009b\u202e1","source":"src\u202e\u009b","new":{"login_name":"h1","contact_name":"'"$value"'"}}'
wait_for 'events_done 1' 30
run=$(db "SELECT id FROM runs WHERE handler_id = $h")

# --- human output ---------------------------------------------------------------------------------
want='-rf /\x0a\x09line2 \x1b[31mRED\x1b[0m \x07 \x7f \u{9b}31m C1 \u{202e} bidi \u{2066}iso\u{2069} \u{200f} \u{61c} \u{2028} end'
em log show "$run" >"$TMP/show.out" || fail "log show $run failed"
check_clean "eventmgr log show" "$TMP/show.out"
grep -qxF "  [1] \"$want\"" "$TMP/show.out" || fail "log show: argv[1] not escaped as expected:
$(cat -v "$TMP/show.out")"
# Output is shown line by line: the value's newline starts a new line there.
[ "$(grep -cxF "  | ${want#*\\x0a}" "$TMP/show.out")" = 2 ] || fail "log show: stdout and stderr not escaped as expected:
$(cat -v "$TMP/show.out")"
grep -qxF '  | \xff\xfe raw bytes' "$TMP/show.out" || fail "log show: invalid UTF-8 not shown as \\xNN:
$(cat -v "$TMP/show.out")"
em log >"$TMP/log.out" || fail "eventmgr log failed"
check_clean "eventmgr log" "$TMP/log.out"

# handler test: argv and environment of a dry run.
em handler test "$h" new.login_name=t1 new.contact_name=$'a\e[2J\xc2\x9b\xe2\x80\xaeb' >"$TMP/test.out" 2>&1 ||
  fail "handler test failed: $(cat -v "$TMP/test.out")"
check_clean "eventmgr handler test" "$TMP/test.out"
grep -qF 'NEW_CONTACT_NAME = [a\x1b[2J\u{9b}\u{202e}b]' "$TMP/test.out" ||
  fail "handler test: the environment is not escaped as expected: $(cat -v "$TMP/test.out")"

# --- --json: escaped on the terminal, the same text once decoded -----------------------------------
em log show "$run" --json >"$TMP/show.json" || fail "log show --json failed"
check_clean "eventmgr log show --json" "$TMP/show.json"
python3 - "$TMP/show.json" "$value" <<'EOF' || fail "log show --json: $(cat "$TMP/show.json")"
import json, sys
run = json.load(open(sys.argv[1]))
value = json.loads('"' + sys.argv[2] + '"')
assert run["argv"][1] == value, run["argv"]
assert run["stdout"] == value + "\n\ufffd\ufffd raw bytes\n", repr(run["stdout"])
assert run["stderr"] == value + "\n", repr(run["stderr"])
EOF
em log --json >"$TMP/log.json" || fail "log --json failed"
check_clean "eventmgr log --json" "$TMP/log.json"
em status --json >"$TMP/status.json" || fail "status --json failed"
check_clean "eventmgr status --json" "$TMP/status.json"

# --- the daemon log: the id is escaped ------------------------------------------------------------
wait_for 'grep -q "journaled event 1 id" "$TMP/daemon.log"' 10
check_clean "the daemon log" "$TMP/daemon.log"
grep -qF 'journaled event 1 id id\u{9b}\u{202e}1 via pipe' "$TMP/daemon.log" ||
  fail "the daemon log does not show the id escaped: $(grep 'journaled event 1' "$TMP/daemon.log" | cat -v)"

stop_daemon
