#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 6, start-up refusals (docs/PROTOCOL.md, docs/RELIABILITY.md): eventmgrd refuses to start, with a non-zero exit
# and a message naming the file and the problem, when the pipe path exists and is not a FIFO,
# the config, the database, the run ledger or the catalog dir is world-writable, a catalog file does not
# parse (file:line), or the config has an unknown key (file:line).
# Issue 12 (F14, F15): before it creates or writes anything, eventmgrd refuses a state dir others
# can write, a lock that is a symbolic link (the file it points to stays untouched), a FIFO
# another user owns or with a mode beyond 0620 (systemd's too), a pickup dir with a mode beyond
# 1730, and a catalog file that is a symbolic link or that others own or can write (also on
# SIGHUP); `eventmgr check` fails on each with the same reason.
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

# 6. A catalog dir that other users can write (docs/RELIABILITY.md).
state=$TMP/s-catalog-dir
mkdir -m 750 "$state"
mkdir -m 755 "$state/events.d"
chmod 777 "$state/events.d"
refused catalog_dir "$state"
says catalog_dir "$state/events.d" "writable"

# --- Issue 12, F14-F15: the state dir's layout is checked before anything is created in it ----
# Each case below: eventmgrd refuses with the file, what it found and the command that fixes it,
# and `eventmgr check` fails on the same state dir with the same reason.

# check_fails NAME STATE_DIR TEXT...: `eventmgr check` on STATE_DIR exits 1 and its output
# holds every TEXT (fixed strings); the output goes to $TMP/NAME.check.
check_fails() {
  local name=$1 state=$2 text rc=0
  shift 2
  "$EVENTMGR_BIN" --state-dir "$state" check >"$TMP/$name.check" 2>&1 || rc=$?
  [ "$rc" -eq 1 ] || fail "$name: eventmgr check exited $rc, expected 1; output:
$(cat "$TMP/$name.check")"
  for text in "$@"; do
    grep -qF -- "$text" "$TMP/$name.check" ||
      fail "$name: eventmgr check does not say '$text'; output:
$(cat "$TMP/$name.check")"
  done
}

# The attacker cases need a real user other than root: created here, removed at exit.
ATTACKER=
remove_attacker_then_cleanup() {
  local rc=$?
  set +e
  if [ -n "$ATTACKER" ]; then
    userdel "$ATTACKER" 2>/dev/null
    groupdel "$ATTACKER" 2>/dev/null
  fi
  (exit "$rc")
  cleanup
}
if [ "$(id -u)" -eq 0 ]; then
  ATTACKER=emt$$a
  trap remove_attacker_then_cleanup EXIT
  useradd -M -d /nonexistent -s /usr/sbin/nologin "$ATTACKER" || fail "cannot create the test user $ATTACKER"
  ATTACKER_UID=$(id -u "$ATTACKER")
else
  echo "note: not root: the cases with another user's files are skipped"
fi

victim=$TMP/victim.txt
printf 'important root-owned content\n' >"$victim"
chmod 644 "$victim"
touch -d '2020-01-02 03:04:05' "$victim"
victim_before=$(stat -c '%s %Y %a %u' "$victim")
victim_unchanged() {
  [ "$(cat "$victim")" = 'important root-owned content' ] && [ "$(stat -c '%s %Y %a %u' "$victim")" = "$victim_before" ]
}

# 7. The review's reproducer: a state dir every user can write, where another user planted the
# lock as a symbolic link to a root-owned file, a 0777 pickup dir and a 0666 FIFO.
state=$TMP/s-planted
mkdir "$state"
chmod 777 "$state"
if [ -n "$ATTACKER" ]; then
  runuser -u "$ATTACKER" -- sh -c 'ln -s "$1" "$2/eventmgrd.lock" && mkdir -m 777 "$2/pickup" &&
    mkfifo -m 666 "$2/events.pipe"' planter "$victim" "$state"
else
  ln -s "$victim" "$state/eventmgrd.lock"
  mkdir -m 777 "$state/pickup"
  mkfifo -m 666 "$state/events.pipe"
fi
refused planted "$state"
says planted "state dir $state: writable by other users (mode 0777)" "chmod go-w $state"
victim_unchanged || fail "planted: the daemon wrote through the planted lock symlink into $victim: $(cat "$victim")"
for made in eventmgr.db eventmgr.db-ledger events.d; do
  [ ! -e "$state/$made" ] || fail "planted: the daemon created $made in a state dir others can write"
done
check_fails planted "$state" "FAIL  state dir $state: writable by other users (mode 0777)" \
  "FAIL  lock file $state/eventmgrd.lock: a symbolic link"

# 8. A 0777 state dir alone: refused, and nothing is created in it.
state=$TMP/s-open
mkdir "$state"
chmod 777 "$state"
refused open_dir "$state"
says open_dir "state dir $state" "mode 0777" "chmod go-w $state"
[ -z "$(ls -A "$state")" ] || fail "open_dir: the daemon created files in a state dir others can write: $(ls -A "$state")"
check_fails open_dir "$state" "FAIL  state dir $state: writable by other users (mode 0777)"

# 9. A sound state dir whose lock is a symbolic link: the lock never follows it.
state=$TMP/s-lock-link
mkdir -m 750 "$state"
ln -s "$victim" "$state/eventmgrd.lock"
refused lock_link "$state"
says lock_link "lock file $state/eventmgrd.lock" "symbolic link" "rm $state/eventmgrd.lock"
victim_unchanged || fail "lock_link: the daemon wrote through the lock symlink into $victim: $(cat "$victim")"
check_fails lock_link "$state" "FAIL  lock file $state/eventmgrd.lock: a symbolic link"

# 10. A pickup dir every user can write (and list): the panel's files could be read or removed.
state=$TMP/s-pickup
mkdir -m 750 "$state"
mkdir "$state/pickup"
chmod 777 "$state/pickup"
refused pickup "$state"
says pickup "pickup dir $state/pickup: mode 0777, expected 1730" "chmod 1730 $state/pickup"
check_fails pickup "$state" "FAIL  pickup dir $state/pickup: mode 0777, expected 1730"

if [ -n "$ATTACKER" ]; then
  # 11. A FIFO that another user owns, mode 0666: that user may read the panel's records.
  state=$TMP/s-fifo
  mkdir -m 750 "$state"
  mkfifo -m 666 "$state/events.pipe"
  chown "$ATTACKER" "$state/events.pipe"
  refused fifo "$state"
  says fifo "pipe $state/events.pipe: owned by uid $ATTACKER_UID ($ATTACKER), mode 0666" "rm $state/events.pipe"
  check_fails fifo "$state" "FAIL  pipe $state/events.pipe: owned by uid $ATTACKER_UID ($ATTACKER), mode 0666"

  # 12. A catalog file another user owns and every user can write (F15): the daemon refuses it
  # as `eventmgr check` says, with the same reason.
  state=$TMP/s-catalog-file
  mkdir -m 750 "$state"
  mkdir -m 755 "$state/events.d"
  cat >"$state/events.d/extra.yaml" <<'YAML'
events:
  - name: ext_backup_done
    description: Backup finished (a panel extension)
    group: extension events
    kind: other
    key: domain_name
    params:
      - {name: domain_name, label: Domain Name, required: true}
YAML
  chown "$ATTACKER" "$state/events.d/extra.yaml"
  chmod 666 "$state/events.d/extra.yaml"
  refused catalog_file "$state"
  says catalog_file "$state/events.d/extra.yaml: refusing catalog file: owned by uid $ATTACKER_UID ($ATTACKER)"
  # The daemon lists each problem on a continuation line of its message (indented).
  reason=$(grep -F "$state/events.d/extra.yaml: " "$TMP/catalog_file.err" | head -n 1 | sed "s/^ *//")
  check_fails catalog_file "$state" "FAIL  catalog: $reason"
fi

# 13. A catalog file that is a symbolic link (catalogs are read as regular files only) and one
# every user can write.
state=$TMP/s-catalog-link
mkdir -m 750 "$state"
mkdir -m 755 "$state/events.d"
printf 'events: []\n' >"$TMP/elsewhere.yaml"
chmod 644 "$TMP/elsewhere.yaml"
ln -s "$TMP/elsewhere.yaml" "$state/events.d/linked.yaml"
printf 'events: []\n' >"$state/events.d/open.yaml"
chmod 666 "$state/events.d/open.yaml"
refused catalog_link "$state"
says catalog_link "$state/events.d/linked.yaml: refusing catalog file: a symbolic link" \
  "$state/events.d/open.yaml: refusing catalog file: writable by other users (mode 0666)"
check_fails catalog_link "$state" "FAIL  catalog: $state/events.d/linked.yaml: refusing catalog file: a symbolic link" \
  "FAIL  catalog: $state/events.d/open.yaml: refusing catalog file: writable by other users (mode 0666)"

# 14. systemd's FIFO (LISTEN_FDS): a unit with SocketMode=0666 is refused; 0620 starts.
# `bash -c "$activate" activate FIFO STATE`: eventmgrd with FIFO as the descriptor 3 systemd passes.
activate='exec 3<>"$1"; export LISTEN_FDS=1 LISTEN_PID=$$; exec "$EVENTMGRD_BIN" --state-dir "$2"'
export EVENTMGRD_BIN
state=$TMP/s-systemd
mkdir -m 750 "$state"
mkfifo -m 666 "$TMP/systemd.pipe"
rc=0
timeout 10 bash -c "$activate" activate "$TMP/systemd.pipe" "$state" </dev/null >"$TMP/systemd.out" \
  2>"$TMP/systemd.err" || rc=$?
[ "$rc" -ne 124 ] || fail "systemd: eventmgrd started on a 0666 FIFO from systemd; stderr: $(cat "$TMP/systemd.err")"
[ "$rc" -ne 0 ] || fail "systemd: eventmgrd exited 0, expected a refusal; stderr: $(cat "$TMP/systemd.err")"
says systemd "pipe $TMP/systemd.pipe (from systemd): mode 0666, expected 0620" "SocketMode=0620"
chmod 620 "$TMP/systemd.pipe"
bash -c "$activate" activate "$TMP/systemd.pipe" "$state" </dev/null >"$TMP/systemd_ok.out" 2>"$TMP/systemd_ok.err" &
activated=$! # bash execs eventmgrd: one pid
kill_on_exit "$activated"
wait_for 'grep -qw ready "$TMP/systemd_ok.err" || ! alive "$activated"'
grep -qw ready "$TMP/systemd_ok.err" ||
  fail "systemd: eventmgrd did not start on a 0620 FIFO from systemd; stderr: $(cat "$TMP/systemd_ok.err")"
kill -TERM "$activated"
wait "$activated" || fail "systemd: eventmgrd on the FIFO from systemd did not stop cleanly"

# 15. A catalog file others can write, dropped in while the daemon runs: SIGHUP keeps the old
# catalog and logs why.
start_daemon --config "$TMP/ok.yaml"
mkdir -m 755 "$STATE/events.d"
printf 'events: []\n' >"$STATE/events.d/late.yaml"
chmod 666 "$STATE/events.d/late.yaml"
kill -HUP "$DAEMON_PID"
wait_for 'grep -qF "$STATE/events.d/late.yaml: refusing catalog file: writable by other users (mode 0666)" "$TMP/daemon.log"'
grep -qF "reload: catalog not changed" "$TMP/daemon.log" || fail "reload: the refusal does not say the catalog stayed"
daemon_alive || fail "reload: the daemon ended after refusing a catalog file"
stop_daemon
