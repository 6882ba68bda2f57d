#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man pages say what the binaries do: every command of `eventmgr --help` (and of each
# command's --help) has its section in eventmgr(1) with each of its options, and eventmgr(1)
# documents no command or option the binary lacks; eventmgrd(8) documents exactly the options
# of `eventmgrd --help`, event_handler(1) exactly the commands and options of
# `event_handler --help`, eventmgr-web(8) exactly the options of `eventmgr-web --help`; eventmgr.yaml(5) and the Debian package's commented config name exactly
# the settings the config loader accepts. The built pages render without groff warnings.
source "$(dirname "$0")/lib.sh"

man_dir=$EVENTMGR_SOURCE_DIR/docs/man
problems=()

# help_options PATH...: the options `eventmgr PATH... --help` lists, one per line.
help_options() {
  "$EVENTMGR_BIN" "$@" --help | awk '
    /^Options:/ { on = 1; next }
    /^[^ ]/ { on = 0 }
    on && /^  -/ {
      n = split($1, names, ",")
      for (i = 1; i <= n; i++) { sub(/\{.*/, "", names[i]); print names[i] }
    }'
}

# help_commands PATH...: the subcommands `eventmgr PATH... --help` lists, one per line.
help_commands() {
  "$EVENTMGR_BIN" "$@" --help | awk '
    /^Subcommands:/ { on = 1; next }
    /^[^ ]/ { on = 0 }
    on && /^  [a-z]/ { print $1 }'
}

# The --help side: "PATH<TAB>OPTION" lines and "PATH" lines for every command, recursively.
help_tree() {
  local sub option
  printf '%s\n' "eventmgr${*:+ $*}" >>"$TMP/help-commands"
  for option in $(help_options "$@"); do
    if [ $# -gt 0 ] && { [ "$option" = -h ] || [ "$option" = --help ]; }; then
      continue # every command has them; eventmgr(1) documents them once, as global options
    fi
    printf '%s\t%s\n' "eventmgr${*:+ $*}" "$option" >>"$TMP/help-options"
  done
  for sub in $(help_commands "$@"); do
    help_tree "$@" "$sub"
  done
}
: >"$TMP/help-commands"
: >"$TMP/help-options"
help_tree
[ "$(wc -l <"$TMP/help-commands")" -gt 10 ] || fail "could not read the commands of eventmgr --help"

# The man side: "## eventmgr handler add ID" starts the section of "eventmgr handler add" (the
# lowercase words); in it, a line starting with *--option* documents the options it names.
# GLOBAL OPTIONS are those of "eventmgr" itself.
awk -v commands="$TMP/man-commands" -v options="$TMP/man-options" '
  /^# GLOBAL OPTIONS/ { section = "eventmgr"; print section > commands; next }
  /^# / { section = ""; next }
  /^## eventmgr/ {
    section = "eventmgr"
    for (i = 3; i <= NF && $i ~ /^[a-z][a-z-]*$/; i++) { section = section " " $i }
    print section > commands
    next
  }
  section != "" && /^\*-/ {
    line = $0
    while (match(line, /\*--?[A-Za-z][A-Za-z-]*\*/)) {
      print section "\t" substr(line, RSTART + 1, RLENGTH - 2) > options
      line = substr(line, RSTART + RLENGTH)
    }
  }' "$man_dir/eventmgr.1.scd"

# compare WHAT HELP_FILE MAN_FILE: each line only in one of them is a problem.
compare() {
  local what=$1 line
  while IFS= read -r line; do
    problems+=("eventmgr(1) does not document $what '${line//$'\t'/ }' (docs/man/eventmgr.1.scd lacks it; --help lists it)")
  done < <(comm -23 <(sort -u "$2") <(sort -u "$3"))
  while IFS= read -r line; do
    problems+=("eventmgr(1) documents $what '${line//$'\t'/ }', which --help does not list")
  done < <(comm -13 <(sort -u "$2") <(sort -u "$3"))
}
compare command "$TMP/help-commands" "$TMP/man-commands"
compare option "$TMP/help-options" "$TMP/man-options"

# eventmgrd(8): the options of its OPTIONS section against eventmgrd --help.
"$EVENTMGRD_BIN" --help | awk '
  /^Options:/ { on = 1; next }
  /^[^ ]/ { on = 0 }
  on && /^  -/ { n = split($1, names, ","); for (i = 1; i <= n; i++) { sub(/\{.*/, "", names[i]); print names[i] } }' |
  sort -u >"$TMP/daemon-help"
awk '/^# OPTIONS/ { on = 1; next } /^# / { on = 0 }
  on && /^\*-/ { line = $0; while (match(line, /\*--?[A-Za-z][A-Za-z-]*\*/)) {
    print substr(line, RSTART + 1, RLENGTH - 2); line = substr(line, RSTART + RLENGTH) } }' \
  "$man_dir/eventmgrd.8.scd" | sort -u >"$TMP/daemon-man"
while IFS= read -r line; do
  problems+=("eventmgrd(8) does not document option $line (eventmgrd --help lists it)")
done < <(comm -23 "$TMP/daemon-help" "$TMP/daemon-man")
while IFS= read -r line; do
  problems+=("eventmgrd(8) documents option $line, which eventmgrd --help does not list")
done < <(comm -13 "$TMP/daemon-help" "$TMP/daemon-man")

# man_options PAGE SECTION...: the options the lines starting with *-option* of those sections
# of PAGE document, one per line.
man_options() {
  local page=$1 IFS='|'
  shift
  awk -v sections="|$*|" '
    /^# / { on = index(sections, "|" substr($0, 3) "|") > 0; next }
    on && /^\*-/ { line = $0; while (match(line, /\*--?[A-Za-z][A-Za-z-]*\*/)) {
      print substr(line, RSTART + 1, RLENGTH - 2); line = substr(line, RSTART + RLENGTH) } }' \
    "$man_dir/$page" | sort -u
}

# event_handler(1): its COMMANDS and OPTIONS against the words of event_handler --help that
# start an entry (its commands, then the options of --create and --update).
compat_dir=$("$EVENTMGR_BIN" compat path) || fail "eventmgr compat path failed"
"$compat_dir/event_handler" --help | awk '
  /^  -/ { n = split($1 " " $2, words, " "); for (i = 1; i <= n; i++) {
    word = words[i]; sub(/,$/, "", word); if (word ~ /^-/) { print word } } }' | sort -u >"$TMP/compat-help"
[ "$(wc -l <"$TMP/compat-help")" -ge 10 ] || fail "could not read event_handler --help: $(cat "$TMP/compat-help")"
man_options event_handler.1.scd COMMANDS OPTIONS >"$TMP/compat-man"
while IFS= read -r line; do
  problems+=("event_handler(1) does not document $line (event_handler --help lists it)")
done < <(comm -23 "$TMP/compat-help" "$TMP/compat-man")
while IFS= read -r line; do
  problems+=("event_handler(1) documents $line, which event_handler --help does not list")
done < <(comm -13 "$TMP/compat-help" "$TMP/compat-man")

# eventmgr-web(8): the options of its usage line, and -h/--help, against its OPTIONS.
web_bin=$(dirname "$EVENTMGR_BIN")/../web/eventmgr-web
{
  "$web_bin" --help | tr ' []' '\n\n\n' | grep -E -- '^--?[a-z][a-z-]*$'
  printf '%s\n' -h --help
} | sort -u >"$TMP/web-help"
[ "$(wc -l <"$TMP/web-help")" -ge 4 ] || fail "could not read eventmgr-web --help: $(cat "$TMP/web-help")"
man_options eventmgr-web.8.scd OPTIONS >"$TMP/web-man"
while IFS= read -r line; do
  problems+=("eventmgr-web(8) does not document option $line (eventmgr-web --help lists it)")
done < <(comm -23 "$TMP/web-help" "$TMP/web-man")
while IFS= read -r line; do
  problems+=("eventmgr-web(8) documents option $line, which eventmgr-web --help does not list")
done < <(comm -13 "$TMP/web-help" "$TMP/web-man")

# The settings the loader accepts, from its own refusal of an unknown one ("...; valid: a, b").
valid_keys() {
  printf '%s\n' "$1" >"$TMP/probe.yaml"
  local message
  message=$("$EVENTMGRD_BIN" --config "$TMP/probe.yaml" --state-dir "$TMP/probe-state" 2>&1 || true)
  case "$message" in
    *"valid: "*) ;;
    *) fail "eventmgrd did not list the valid settings for $1: $message" ;;
  esac
  printf '%s\n' "${message##*valid: }" | tr ',' '\n' | sed 's/^ *//; s/ *$//' | grep -v '^$'
}
{
  valid_keys 'no_such_setting_of_the_man_test: 1'
  valid_keys 'rlimits: {no_such_limit_of_the_man_test: 1}' | sed 's/^/rlimits./'
} | sort -u >"$TMP/config-keys"
[ "$(wc -l <"$TMP/config-keys")" -gt 10 ] || fail "could not read the config keys: $(cat "$TMP/config-keys")"
awk '/^# SETTINGS/ { on = 1; next } /^# / { on = 0 }
  on && /^\*[a-z_.]+\*/ { match($0, /^\*[a-z_.]+\*/); print substr($0, 2, RLENGTH - 2) }' \
  "$man_dir/eventmgr.yaml.5.scd" | sort -u >"$TMP/config-man"
while IFS= read -r line; do
  problems+=("eventmgr.yaml(5) does not document setting $line (the config loader accepts it)")
done < <(comm -23 "$TMP/config-keys" "$TMP/config-man")
while IFS= read -r line; do
  problems+=("eventmgr.yaml(5) documents setting $line, which the config loader refuses")
done < <(comm -13 "$TMP/config-keys" "$TMP/config-man")

# The package's conffile names every setting (set or commented out) and loads.
conffile=$EVENTMGR_SOURCE_DIR/debian/eventmgr.yaml
while IFS= read -r key; do
  if [ "${key#rlimits.}" != "$key" ]; then
    pattern="^#? +${key#rlimits.}:"
  else
    pattern="^(# ?)?$key:"
  fi
  grep -qE "$pattern" "$conffile" || problems+=("debian/eventmgr.yaml does not mention setting $key")
done <"$TMP/config-keys"
if ! out=$("$EVENTMGR_BIN" --config "$conffile" --state-dir "$TMP/conf-state" events 2>&1 >/dev/null); then
  problems+=("debian/eventmgr.yaml does not load: $out")
fi

# The built pages (when scdoc is installed, the build makes them) render without warnings.
built=$(dirname "$EVENTMGR_BIN")/../docs/man
if command -v scdoc >/dev/null 2>&1 && command -v man >/dev/null 2>&1; then
  for page in eventmgr.1 eventmgrd.8 eventmgr.yaml.5 event_handler.1 eventmgr-web.8; do
    if [ ! -f "$built/$page" ]; then
      problems+=("the build did not make $page (docs/man/CMakeLists.txt)")
      continue
    fi
    warnings=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$built/$page" 2>&1 >/dev/null || true)
    [ -z "$warnings" ] || problems+=("$page: groff warns: $warnings")
  done
fi

if [ "${#problems[@]}" -gt 0 ]; then
  printf '  %s\n' "${problems[@]}" >&2
  fail "${#problems[@]} disagreement(s) between the man pages and the binaries (above)"
fi
echo "PASS: $TEST_NAME: $(wc -l <"$TMP/help-commands") commands, $(wc -l <"$TMP/help-options") options, $(wc -l <"$TMP/config-keys") settings"
