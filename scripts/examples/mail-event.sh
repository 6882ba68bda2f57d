#!/bin/sh
# Usage: mail-event.sh RECIPIENT
# Mails the event (read as JSON from stdin) to RECIPIENT with sendmail. Register with --stdin json:
#   eventmgr handler add --event client_delete --stdin json \
#     --command '/usr/local/libexec/eventmgr/mail-event.sh hostmaster@example.net'
set -eu
to=${1:?usage: mail-event.sh RECIPIENT}
{
  printf 'To: %s\n' "$to"
  printf 'Subject: panel event %s (%s)\n' "${EVENT:-unknown}" "${EVENTMGR_EVENT_ID:-?}"
  printf 'Content-Type: application/json; charset=utf-8\n\n'
  cat
  printf '\n'
} | /usr/sbin/sendmail -oi -- "$to"
