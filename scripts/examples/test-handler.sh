#!/bin/sh
# Usage: test-handler.sh CONTACT_NAME LOGIN_NAME
# POSIX sh port of the panel manual's test-handler.bat: logs a client creation.
# Register it with:
#   eventmgr handler add --event client_create \
#     --command '/usr/local/libexec/eventmgr/test-handler.sh <new_contact_name> <new_login_name>'
log=${EVENT_HANDLER_LOG:-/tmp/event_handler.log}
{
  echo " -------------- "
  # information on the event date and time
  date
  # information on the created client account
  echo "client created"
  # client's name
  printf 'name: %s\n' "$1"
  # client's login
  printf 'login: %s\n' "$2"
  echo " -------------- "
} >> "$log"
