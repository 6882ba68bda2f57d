#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bash completion of event_handler (scripts/completion/event_handler.bash) offers its
# commands, the options of --create and --update not given yet, priority presets, event names
# from its --list-events, users from its --list-users and handler ids from its --list, all from
# the real event_handler of `eventmgr compat path` on the state dir of EVENTMGR_STATE_DIR.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

COMPAT=$("$EVENTMGR_BIN" compat path) || fail "eventmgr compat path failed"
[ -x "$COMPAT/event_handler" ] || fail "no executable event_handler in $COMPAT"
export EVENTMGR_STATE_DIR=$STATE

# shellcheck source=../../scripts/completion/event_handler.bash
source "$EVENTMGR_SOURCE_DIR/scripts/completion/event_handler.bash"
complete -p event_handler | grep -q -- '-F _event_handler' || fail "the script does not register _event_handler"

# expect WANT WORDS...: Tab after `event_handler WORDS...` (the last word the one completed)
# offers exactly WANT (sorted, on one line).
expect() {
  local want=$1 got
  shift
  COMP_WORDS=("$COMPAT/event_handler" "$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  set +e +o pipefail
  _event_handler
  set -e -o pipefail
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
  [ "$got" = "$want" ] || fail "completing 'event_handler $*': want [$want], got [$got]"
}

expect '--create --delete --help --list --list-events --list-users --update' ''
expect '--list --list-events --list-users' --li
expect '-command -event -priority -user' --create ''
expect '-command -user' --create -event domain_create -priority 10 ''
expect 'high highest' --create -priority hi
expect 'domain_create' --create -event domain_cr
domain_events=$("$COMPAT/event_handler" --list-events | awk '$1 ~ /^domain_/ { print $1 }' | sort | tr '\n' ' ' | sed 's/ $//')
[[ " $domain_events " == *" domain_delete "* ]] || fail "event_handler --list-events lacks domain_delete: [$domain_events]"
expect "$domain_events" --create -event domain_
want_user=$("$COMPAT/event_handler" --list-users | grep -x "$HUSER" || true)
[ -n "$want_user" ] || fail "event_handler --list-users does not list $HUSER"
expect "$HUSER" --create -user "$HUSER"
expect '' --create -command ''

# Handler ids for --update and --delete, from --list.
"$COMPAT/event_handler" --create -event domain_create -user "$HUSER" -command /bin/true >/dev/null ||
  fail "creating a handler failed"
"$COMPAT/event_handler" --create -event client_create -user "$HUSER" -command /bin/true >/dev/null ||
  fail "creating a second handler failed"
expect '1 2' --delete ''
expect '1 2' --update ''
expect '-command -event -priority -user' --update 2 ''
expect '' --list ''
echo "PASS: $TEST_NAME"
