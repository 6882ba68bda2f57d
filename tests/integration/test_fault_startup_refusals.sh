#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 6, start-up refusals (SPEC 4.2, 10): eventmgrd refuses to start, with a non-zero exit
# and a message naming the file and the problem, when the pipe path exists and is not a FIFO,
# the config, the database, the run ledger or the catalog dir is world-writable, a catalog file does not
# parse (file:line), or the config has an unknown key (file:line).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# refused NAME STATE_DIR [ARGS...]: eventmgrd --state-dir STATE_DIR ARGS must exit non-zero
# by itself (not killed by `timeout`); its stderr goes to $TMP/NAME.err.
refused() {
  local name=$1 state=$2 rc=0
  shift 2
  timeout 10 "$EVENTMGRD_BIN" --state-dir "$state" "$@" </dev/null >"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
  [ "$rc" -ne 124 ] || fail "$name: eventmgrd did not refuse to start (still running after 10s); stderr: $(cat "$TMP/$name.err")"
  [ "$rc" -ne 0 ] || fail "$name: eventmgrd exited 0, expected a refusal; stderr: $(cat "$TMP/$name.err")"
}

# says NAME TEXT...: the stderr of case NAME contains every TEXT (fixed strings).
says() {
  local name=$1 text
  shift
  for text in "$@"; do
    grep -qF -- "$text" "$TMP/$name.err" ||
      fail "$name: the refusal does not say '$text'; stderr:
$(cat "$TMP/$name.err")"
  done
}

# private_config FILE: a valid config readable by all, writable by its owner only.
private_config() {
  printf 'workers: 2\n' >"$1"
  chmod 644 "$1"
}

# 1. The pipe path is a regular file.
state=$TMP/s-pipe
mkdir -m 750 "$state"
echo 'not a fifo' >"$state/events.pipe"
refused pipe "$state"
says pipe "$state/events.pipe" "not a FIFO"
[ -f "$state/events.pipe" ] && [ "$(cat "$state/events.pipe")" = 'not a fifo' ] ||
  fail "pipe: the daemon touched the regular file at the pipe path"

# 2. A world-writable config.
state=$TMP/s-config
config=$TMP/writable.yaml
private_config "$config"
chmod 666 "$config"
refused config "$state" --config "$config"
says config "$config" "writable"

# 3. A world-writable database (made by a first, normal start).
private_config "$TMP/ok.yaml"
start_daemon --config "$TMP/ok.yaml"
stop_daemon
[ -f "$STATE/eventmgr.db" ] || fail "database: the first start made no database"
chmod 666 "$STATE/eventmgr.db"
refused database "$STATE" --config "$TMP/ok.yaml"
says database "$STATE/eventmgr.db" "writable"
chmod 640 "$STATE/eventmgr.db"

# 3b. A world-writable run ledger (beside the database): others could fake interrupted runs.
[ -f "$STATE/eventmgr.db-ledger" ] || fail "run ledger: the first start made no ledger"
chmod 666 "$STATE/eventmgr.db-ledger"
refused ledger "$STATE" --config "$TMP/ok.yaml"
says ledger "$STATE/eventmgr.db-ledger" "writable"
chmod 600 "$STATE/eventmgr.db-ledger"

# 4. A catalog file that does not parse: its name and a line.
state=$TMP/s-catalog
mkdir -m 750 "$state"
mkdir -m 755 "$state/events.d"
cat >"$state/events.d/broken.yaml" <<'EOF'
events:
  - name: ext_backup_done
    description: [unclosed
    group: extension events
EOF
chmod 644 "$state/events.d/broken.yaml"
refused catalog "$state"
says catalog "$state/events.d/broken.yaml"
grep -qE "broken\.yaml:[0-9]+" "$TMP/catalog.err" ||
  fail "catalog: the refusal does not give the line (broken.yaml:LINE); stderr:
$(cat "$TMP/catalog.err")"

# 5. A config with an unknown key: file:line of that key.
state=$TMP/s-unknown
config=$TMP/unknown.yaml
printf 'workers: 2\nwrokers: 4\n' >"$config"
chmod 644 "$config"
refused unknown "$state" --config "$config"
says unknown "$config:2:" "wrokers"

# 6. A catalog dir that other users can write (SPEC 10).
state=$TMP/s-catalog-dir
mkdir -m 750 "$state"
mkdir -m 755 "$state/events.d"
chmod 777 "$state/events.d"
refused catalog_dir "$state"
says catalog_dir "$state/events.d" "writable"
