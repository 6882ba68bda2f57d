#!/bin/sh
# Usage: post-webhook.sh URL
# Posts the event (read as JSON from stdin) to URL with curl. Register with --stdin json:
#   eventmgr handler add --event domain_create --stdin json \
#     --command '/usr/local/libexec/eventmgr/post-webhook.sh https://hooks.example.net/panel'
set -eu
url=${1:?usage: post-webhook.sh URL}
exec curl --silent --show-error --fail --max-time 20 \
  -H 'Content-Type: application/json' --data-binary @- "$url"
