# SPDX-License-Identifier: MIT
# bash completion for eventmgr's Plesk-compatible event_handler (in `eventmgr compat path`): its
# commands, the options of --create and --update not given yet, event names and users from its
# own --list-events and --list-users, handler ids from its --list. Not for `plesk`: a real
# Plesk's command of that name must keep its own completion.

_event_handler() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local prev=${COMP_WORDS[COMP_CWORD - 1]}
  local program=${COMP_WORDS[0]} first=1 i
  COMPREPLY=()
  local command=${COMP_WORDS[first]-}
  local IFS=$'\n'
  if [[ $COMP_CWORD -eq $first ]]; then
    COMPREPLY=($(compgen -W $'--create\n--update\n--delete\n--list\n--list-events\n--list-users\n--help' -- "$cur"))
    return 0
  fi
  case $prev in
    -event)
      COMPREPLY=($(compgen -W "$("$program" --list-events 2>/dev/null </dev/null | awk '{ print $1 }')" -- "$cur"))
      return 0
      ;;
    -user)
      COMPREPLY=($(compgen -W "$("$program" --list-users 2>/dev/null </dev/null)" -- "$cur"))
      return 0
      ;;
    -priority)
      COMPREPLY=($(compgen -W $'lowest\nlow\nnormal\nhigh\nhighest' -- "$cur"))
      return 0
      ;;
    -command) return 0 ;;
  esac
  if [[ $COMP_CWORD -eq $((first + 1)) && ($command == --update || $command == --delete) ]]; then
    COMPREPLY=($(compgen -W "$("$program" --list 2>/dev/null </dev/null | awk '$1 == "Id" { print $2 }')" -- "$cur"))
    return 0
  fi
  if [[ $command == --create || $command == --update ]]; then
    local -a unused=()
    local option
    for option in -event -priority -user -command; do
      for ((i = first + 1; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} == "$option" ]] && continue 2
      done
      unused+=("$option")
    done
    COMPREPLY=($(compgen -W "${unused[*]}" -- "$cur"))
  fi
  return 0
}

complete -F _event_handler event_handler
