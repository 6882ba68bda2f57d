# SPDX-License-Identifier: MIT
# bash completion for eventmgr. Commands and options come from the binary's own --help (so they
# follow the installed version); event names from its catalog; handler ids, run ids (log show),
# rejected record ids and event ids (replay) from its database, with the --config and
# --state-dir of the line being completed. A query that fails (a user who may not read the
# database) offers nothing.

declare -gA _eventmgr_help_cache=()

# _eventmgr_run ARGS...: the eventmgr of the line, with its --config and --state-dir.
_eventmgr_run() {
  local -a global=()
  local i
  for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
    case ${COMP_WORDS[i]} in
      --config | --state-dir) global+=("${COMP_WORDS[i]}" "${COMP_WORDS[i + 1]}") ;;
    esac
  done
  "${COMP_WORDS[0]}" "${global[@]}" "$@" 2>/dev/null </dev/null
}

# _eventmgr_help PATH...: the --help of `eventmgr PATH...`, read once per shell.
_eventmgr_help() {
  local key="${COMP_WORDS[0]} $*"
  if [[ -z ${_eventmgr_help_cache[$key]+set} ]]; then
    _eventmgr_help_cache[$key]=$("${COMP_WORDS[0]}" "$@" --help 2>/dev/null </dev/null)
  fi
  printf '%s\n' "${_eventmgr_help_cache[$key]}"
}

# _eventmgr_subcommands PATH...: the subcommands of `eventmgr PATH...`, one per line.
_eventmgr_subcommands() {
  _eventmgr_help "$@" | awk '/^Subcommands:/ { on = 1; next } /^[^ ]/ { on = 0 } on && /^  [a-z]/ { print $1 }'
}

# _eventmgr_options PATH...: "NAME VALUE" per option of `eventmgr PATH...` and the global ones,
# VALUE 1 when the option takes a separate value (--event EVENT), else 0 (--json, --wait[=S]).
_eventmgr_options() {
  {
    _eventmgr_help "$@"
    if [[ $# -gt 0 ]]; then
      _eventmgr_help
    fi
  } | awk '
    /^Options:/ { on = 1; next }
    /^[^ ]/ { on = 0 }
    on && /^  -/ {
      spec = substr($0, 3)
      sub(/  .*/, "", spec)
      n = split(spec, words, " ")
      value = (n > 1 && words[2] != "Excludes:" && words[2] != "Needs:") ? 1 : 0
      k = split(words[1], names, ",")
      for (i = 1; i <= k; i++) { sub(/\{.*/, "", names[i]); print names[i], value }
    }'
}

_eventmgr_events() {
  _eventmgr_run --json events | grep -o '"name":"[^"]*"' | cut -d'"' -f4
}

_eventmgr_handler_ids() {
  _eventmgr_run --json handler list | grep -o '"id":[0-9]*' | cut -d: -f2
}

_eventmgr_run_ids() {
  _eventmgr_run --json log --limit 100 | grep -o '"id":[0-9]*' | cut -d: -f2
}

_eventmgr_rejected_ids() {
  _eventmgr_run --json rejected --limit 100 | grep -o '"id":[0-9]*' | cut -d: -f2
}

_eventmgr_event_ids() {
  _eventmgr_run --json received --limit 100 | grep -o '"event_id":[0-9]*' | cut -d: -f2
}

# _eventmgr_values EVENT: new.KEY= and old.KEY= for each parameter of EVENT.
_eventmgr_values() {
  _eventmgr_run --json events "$1" | grep -oE '"(old|new)":"(old|new)_[^"]*"' | cut -d'"' -f4 |
    sed -E 's/^(old|new)_/\1./; s/$/=/'
}

# _eventmgr_reply WORDS...: COMPREPLY from WORDS that start with the current word.
_eventmgr_reply() {
  local IFS=$'\n'
  COMPREPLY=($(compgen -W "$*" -- "$cur"))
}

_eventmgr() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local prev=${COMP_WORDS[COMP_CWORD - 1]}
  local -a command_path=() positional=()
  local i word options subcommands
  COMPREPLY=()

  # Walk the words before the cursor: subcommands make the path, an option that takes a
  # value skips it, the rest are the command's positional arguments.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ $word == -* ]]; then
      if _eventmgr_options "${command_path[@]}" | grep -x -- "$word 1" >/dev/null; then
        ((i++))
      fi
      continue
    fi
    if [[ ${#positional[@]} -eq 0 ]] && _eventmgr_subcommands "${command_path[@]}" | grep -x -- "$word" >/dev/null; then
      command_path+=("$word")
    else
      positional+=("$word")
    fi
  done

  # The value of an option.
  if [[ $prev == -* && $COMP_CWORD -gt 1 ]] && _eventmgr_options "${command_path[@]}" | grep -x -- "$prev 1" >/dev/null; then
    case $prev in
      --event) _eventmgr_reply "$(_eventmgr_events)" ;;
      --handler) _eventmgr_reply "$(_eventmgr_handler_ids)" ;;
      --user) COMPREPLY=($(compgen -u -- "$cur")) ;;
      --priority) _eventmgr_reply lowest low normal high highest ;;
      --stdin) _eventmgr_reply none json ;;
      --via)
        if [[ ${command_path[0]-} == received ]]; then
          _eventmgr_reply pipe pickup cli replay
        else
          _eventmgr_reply pipe pickup
        fi
        ;;
      --since | --older-than) _eventmgr_reply 1h 2h 1d 7d 30d ;;
      --state-dir) COMPREPLY=($(compgen -d -- "$cur")) ;;
      --config | --file | --record) COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
    return 0
  fi

  if [[ $cur == -* ]]; then
    options=$(_eventmgr_options "${command_path[@]}" | cut -d' ' -f1 | sort -u)
    _eventmgr_reply "$options"
    return 0
  fi

  subcommands=$(_eventmgr_subcommands "${command_path[@]}")
  if [[ -n $subcommands && ${#positional[@]} -eq 0 ]]; then
    _eventmgr_reply "$subcommands"
    return 0
  fi

  case "${command_path[*]}" in
    events) [[ ${#positional[@]} -eq 0 ]] && _eventmgr_reply "$(_eventmgr_events)" ;;
    submit)
      if [[ ${#positional[@]} -eq 0 ]]; then
        _eventmgr_reply "$(_eventmgr_events)"
      else
        _eventmgr_reply "$(_eventmgr_values "${positional[0]}")"
        compopt -o nospace 2>/dev/null
      fi
      ;;
    "handler show" | "handler update" | "handler test")
      [[ ${#positional[@]} -eq 0 ]] && _eventmgr_reply "$(_eventmgr_handler_ids)"
      ;;
    "handler remove" | "handler enable" | "handler disable") _eventmgr_reply "$(_eventmgr_handler_ids)" ;;
    "handler import") COMPREPLY=($(compgen -f -- "$cur")) ;;
    "log show") [[ ${#positional[@]} -eq 0 ]] && _eventmgr_reply "$(_eventmgr_run_ids)" ;;
    "rejected show" | "rejected resubmit")
      [[ ${#positional[@]} -eq 0 ]] && _eventmgr_reply "$(_eventmgr_rejected_ids)"
      ;;
    replay) [[ ${#positional[@]} -eq 0 ]] && _eventmgr_reply "$(_eventmgr_event_ids)" ;;
  esac
  return 0
}

complete -F _eventmgr eventmgr
