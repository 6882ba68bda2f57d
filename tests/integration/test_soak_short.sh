#!/usr/bin/env bash
# The short soak of CI: 600 records from 3 writers, 3 kill -9 of the daemon (scripts/soak.sh).
set -euo pipefail
exec "$(dirname "$0")/../../scripts/soak.sh" 600 3 3
