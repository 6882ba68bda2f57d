#!/bin/sh
# Usage: test-handler.sh CONTACT_NAME LOGIN_NAME
# POSIX sh port of the panel manual's test-handler.bat: reports a client creation.
# Register it with:
#   eventmgr handler add --event client_create \
#     --command '/usr/local/libexec/eventmgr/test-handler.sh <new_contact_name> <new_login_name>'
# The report goes to stdout, which eventmgrd keeps with the run: `eventmgr log show RUN` prints
# it. With EVENT_HANDLER_LOG=FILE (when run by hand) it is appended to FILE instead; choose a
# FILE in a directory only you can write, not a fixed name in /tmp that another user can create
# first. Values may hold any character but NUL: control characters (newlines too) are written
# as '?', so that a value cannot forge a line of the report.
set -eu

clean() {
  printf '%s' "$1" | tr '\001-\037\177' '[?*]'
}

report() {
  echo " -------------- "
  # information on the event date and time
  date
  # information on the created client account
  echo "client created"
  # client's name
  printf 'name: %s\n' "$(clean "$1")"
  # client's login
  printf 'login: %s\n' "$(clean "$2")"
  echo " -------------- "
}

if [ -n "${EVENT_HANDLER_LOG:-}" ]; then
  report "${1-}" "${2-}" >>"$EVENT_HANDLER_LOG"
else
  report "${1-}" "${2-}"
fi
