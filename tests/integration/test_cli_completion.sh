#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bash completion (scripts/completion/eventmgr.bash) offers the commands and options of the
# real eventmgr, event names from its catalog, parameter names for submit, handler ids, run ids
# for `log show` and rejected record ids, from the state dir named on the line being completed.
source "$(dirname "$0")/lib.sh"

# shellcheck source=../../scripts/completion/eventmgr.bash
source "$EVENTMGR_SOURCE_DIR/scripts/completion/eventmgr.bash"
complete -p eventmgr | grep -q -- '-F _eventmgr' || fail "the script does not register _eventmgr for eventmgr"

# complete WORDS...: what Tab offers after `eventmgr --state-dir $STATE WORDS...` (the last word
# is the one being completed), sorted, on one line.
complete() {
  COMP_WORDS=("$EVENTMGR_BIN" --state-dir "${LINE_STATE:-$STATE}" "$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="${COMP_WORDS[*]}"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  # As in an interactive shell: no errexit, no pipefail (nounset stays: some users set it).
  set +e +o pipefail
  _eventmgr
  set -e -o pipefail
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

# expect WANT WORDS...: Tab after WORDS offers exactly WANT.
expect() {
  local want=$1 got
  shift
  got=$(complete "$@")
  [ "$got" = "$want" ] || fail "completing 'eventmgr $*': want [$want], got [$got]"
}

# offers WANT WORDS...: Tab after WORDS offers WANT among others.
offers() {
  local want=$1 got
  shift
  got=" $(complete "$@") "
  [[ $got == *" $want "* ]] || fail "completing 'eventmgr $*': [$want] is not among [$got]"
}

# Commands and options, from --help.
for command in events handler submit log received rejected replay status check prune; do
  offers "$command" ''
done
expect 'received rejected replay' re
expect 'add' handler a
expect 'show' log sh
offers --event handler add --
offers --command handler add --
offers --json handler add --
offers --state-dir handler add --
offers --no-secrets handler update --
offers --follow log --
expect '--dry-run' prune --d
# An option's value is not taken for a command: `log --event X s` completes log's subcommand.
expect 'show' log --event client_create s

# Values of options.
expect 'high highest' handler add --priority h
expect 'json none' handler add --stdin ''
expect 'pickup pipe' submit --via p
expect 'cli pickup pipe replay' received --via ''
offers nobody handler add --user nob
# Event names from the catalog.
expect 'client_create' handler add --event client_cr
offers domain_create events ''
offers mailname_update submit ''
# A catalog file in the state dir adds an event; completion reads the same catalog.
mkdir -p "$STATE/events.d"
cat >"$STATE/events.d/extra.yaml" <<'EOF2'
events:
  - name: zz_completion_probe
    description: added for the completion test
    group: test events
    kind: other
    key: thing
    params:
      - {name: thing, label: Thing}
EOF2
em events zz_completion_probe >/dev/null || fail "the test's catalog file does not load"
expect 'zz_completion_probe' events zz_
# Parameters of the event being submitted.
offers new.login_name= submit client_create new.lo
offers old.contact_name= submit client_create old.con

# Handler ids, run ids, rejected ids and event ids, from the database.
handler_script ok <<'EOF2'
echo "ran for $1"
EOF2
start_daemon
h1=$(add_handler --event client_create --command "$BIN/ok <new_login_name>")
h2=$(add_handler --event domain_create --command "$BIN/ok <new_domain_name>")
expect "$h1 $h2" handler show ''
expect "$h1 $h2" handler remove "$h1" ''
expect "$h1 $h2" log --handler ''
to_pipe '{"event":"client_create","id":"c-1","new":{"login_name":"jdoe","contact_name":"J"}}'
to_pipe '{"event":"domain_create","id":"d-1","new":{"domain_name":"example.com"}}'
to_pipe 'not json at all'
wait_for 'events_done 2'
wait_for '[ "$(db "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL")" = 2 ]'
wait_for '[ "$(db "SELECT count(*) FROM rejected")" = 1 ]'
runs=$(db "SELECT id FROM runs ORDER BY id" | tr '\n' ' ' | sed 's/ $//')
expect "$runs" log show ''
# One run id only: log show takes one.
expect '' log show "${runs%% *}" ''
expect "$(db "SELECT id FROM rejected")" rejected show ''
expect "$(db "SELECT seq FROM events ORDER BY seq" | tr '\n' ' ' | sed 's/ $//')" replay ''

# Another state dir on the line, another database: nothing from this one.
mkdir -m 0750 "$TMP/other"
LINE_STATE=$TMP/other expect '' handler show ''

stop_daemon
echo "PASS: $TEST_NAME"
