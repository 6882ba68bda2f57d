#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 14: a secret value a handler prints is stored as *** in its run's stdout and stderr,
# also when it is written in two halves by separate writes, and also in its JSON-escaped form
# (a `stdin: json` handler echoing its input). `eventmgr log show`, its --json form, the runs
# table and `eventmgr handler test --run` never show it; a run that does not print it keeps
# its output as it was.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

pw='Pa"ss-w0rd/42x'  # as the handler gets it in NEW_PASSWORD
pw_json='Pa\"ss-w0rd/42x'
first_half='Pa"ss-'
second_half='w0rd/42x'

handler_script print_secret <<'EOF2'
printf 'before %s after\n' "$NEW_PASSWORD"
printf '%.6s' "$NEW_PASSWORD" >&2
sleep 0.1
printf '%s\n' "${NEW_PASSWORD#??????}" >&2
EOF2
handler_script echo_stdin <<'EOF2'
cat
EOF2
# Near misses of the secret, each shorter than it: not masked.
handler_script plain <<'EOF2'
printf 'login %s, no password here: Pa"ss- w0rd/42\n' "$1"
EOF2

start_daemon
h_env=$(add_handler --event dl_user_update --secrets --command "$BIN/print_secret")
h_json=$(add_handler --event dl_user_update --secrets --stdin json --command "$BIN/echo_stdin")
h_plain=$(add_handler --event dl_user_update --secrets --command "$BIN/plain <new_login_name>")

to_pipe '{"event":"dl_user_update","id":"m1","old":{"login_name":"jdoe"},"new":{"domain_name":"example.com","login_name":"jdoe","password":"'"$pw_json"'"}}'
wait_for 'events_done 1' 30

# leaks WHAT FILE: fail when FILE holds the password, either half of it, or its JSON form.
leaks() {
  local text
  for text in "$pw" "$pw_json" "$first_half" "$second_half"; do
    if grep -qF -- "$text" "$2"; then
      fail "$1 shows (part of) the secret [$text]:
$(cat -v "$2")"
    fi
  done
}

# --- the runs table -----------------------------------------------------------------------------
run_env=$(db "SELECT id FROM runs WHERE handler_id = $h_env")
run_json=$(db "SELECT id FROM runs WHERE handler_id = $h_json")
run_plain=$(db "SELECT id FROM runs WHERE handler_id = $h_plain")
db "SELECT quote(CAST(stdout AS TEXT)), quote(CAST(stderr AS TEXT)) FROM runs WHERE id != $run_plain" >"$TMP/runs.db"
leaks "the runs table" "$TMP/runs.db"
[ "$(db "SELECT CAST(stdout AS TEXT) FROM runs WHERE id = $run_env")" = "before *** after" ] ||
  fail "stdout of run $run_env: $(db "SELECT CAST(stdout AS TEXT) FROM runs WHERE id = $run_env")"
[ "$(db "SELECT CAST(stderr AS TEXT) FROM runs WHERE id = $run_env")" = "***" ] ||
  fail "stderr of run $run_env (written in two halves): $(db "SELECT CAST(stderr AS TEXT) FROM runs WHERE id = $run_env")"
db "SELECT CAST(stdout AS TEXT) FROM runs WHERE id = $run_json" | grep -qF '"password":"***"' ||
  fail "stdout of the stdin json run $run_json: $(db "SELECT CAST(stdout AS TEXT) FROM runs WHERE id = $run_json")"
[ "$(db "SELECT CAST(stdout AS TEXT) FROM runs WHERE id = $run_plain")" = 'login jdoe, no password here: Pa"ss- w0rd/42' ] ||
  fail "a run that does not print the secret changed: $(db "SELECT CAST(stdout AS TEXT) FROM runs WHERE id = $run_plain")"

# --- eventmgr log show, human and --json ----------------------------------------------------------
for run in "$run_env" "$run_json"; do
  em log show "$run" >"$TMP/show.$run" || fail "log show $run failed"
  leaks "eventmgr log show $run" "$TMP/show.$run"
  grep -qF '***' "$TMP/show.$run" || fail "log show $run has no ***: $(cat "$TMP/show.$run")"
  em log show --json "$run" >"$TMP/show.json.$run" || fail "log show --json $run failed"
  leaks "eventmgr log show --json $run" "$TMP/show.json.$run"
  grep -qF '***' "$TMP/show.json.$run" || fail "log show --json $run has no ***: $(cat "$TMP/show.json.$run")"
done
em log show "$run_plain" >"$TMP/show.plain" || fail "log show $run_plain failed"
grep -qF 'no password here: Pa"ss- w0rd/42' "$TMP/show.plain" || fail "log show $run_plain: $(cat "$TMP/show.plain")"

# --- eventmgr handler test --run: the same capture --------------------------------------------------
em handler test "$h_env" new.domain_name=example.com new.login_name=jdoe "new.password=$pw" --run >"$TMP/test.out" 2>&1 ||
  fail "handler test --run failed: $(cat "$TMP/test.out")"
leaks "eventmgr handler test --run" "$TMP/test.out"
grep -qF 'before *** after' "$TMP/test.out" || fail "handler test --run: stdout not masked: $(cat "$TMP/test.out")"
em --json handler test "$h_env" new.domain_name=example.com new.login_name=jdoe "new.password=$pw" --run >"$TMP/test.json" 2>&1 ||
  fail "handler test --run --json failed: $(cat "$TMP/test.json")"
leaks "eventmgr --json handler test --run" "$TMP/test.json"

# The daemon's log never had it either.
leaks "the daemon log" "$TMP/daemon.log"
echo "ok"
