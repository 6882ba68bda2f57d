#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# eventmgr-web in a real headless Chromium (Selenium, Debian's packages): log in, add a handler
# through the form (a bad command refused beside the field), see a run appear live on the Runs
# page, open it, replay it, remove the handler with "Remove selected"; a viewer changes nothing;
# a forged POST is refused; a rejected record shows with its reason
# and Resubmit validates it again; a dead letter shows, Retry selected runs it again, Drop selected
# marks it handled. Screenshots of each page at 1280x800 and 390x844 go to
# $EVENTMGR_WEB_SCREENSHOTS (ctest: BUILD/web-screenshots).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

WEB_BIN=${EVENTMGR_WEB_BIN:-$EVENTMGR_SOURCE_DIR/build/debug/web/eventmgr-web}
SHOTS=${EVENTMGR_WEB_SCREENSHOTS:-$TMP/screenshots}
[ -x "$WEB_BIN" ] || skip "no eventmgr-web binary at $WEB_BIN (build first)"
# Debian's python3 has python3-selenium; a python3 earlier on PATH (pyenv) may not.
PY=/usr/bin/python3
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && "$PY" -c 'import selenium' 2>/dev/null ||
  skip "chromium, chromium-driver and python3-selenium are needed (scripts/setup.sh installs them)"

handler_script hello <<'EOF2'
echo "hello $1"
echo "contact $2"
EOF2

start_daemon
port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'web:\n  listen: "127.0.0.1:%s"\n' "$port" >"$TMP/web.yaml"
"$WEB_BIN" --config "$TMP/web.yaml" --state-dir "$STATE" >"$TMP/web.log" 2>&1 &
web_pid=$!
kill_on_exit "$web_pid"
wait_for 'grep -q "listening on" "$TMP/web.log" || ! alive '"$web_pid"
alive "$web_pid" || fail "eventmgr-web did not start: $(cat "$TMP/web.log")"
base="http://127.0.0.1:$port"

# The login link of eventmgr web url, and a cross-site POST (curl can forge any Origin).
url=$(em --config "$TMP/web.yaml" web url)
[ "$url" = "$base/login?token=$(cat "$STATE/web-admin.token")" ] || fail "eventmgr web url printed $url"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Origin: http://attacker.example' \
  --data "token=$(cat "$STATE/web-admin.token")" "$base/login")
[ "$code" = 403 ] || fail "a cross-site login POST got $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: rebind.example' "$base/login")
[ "$code" = 421 ] || fail "a foreign Host header got $code"

rm -rf "$SHOTS"
"$PY" "$EVENTMGR_SOURCE_DIR/tests/web/browser_test.py" "$base" "$STATE" "$EVENTMGR_BIN" "$BIN/hello" "$HUSER" \
  "$SHOTS" || fail "the browser test failed; web log:
$(tail -n 30 "$TMP/web.log")"
[ "$(find "$SHOTS" -name '*-desktop.png' | wc -l)" -ge 10 ] || fail "screenshots missing in $SHOTS"
[ "$(find "$SHOTS" -name '*-phone.png' | wc -l)" -ge 10 ] || fail "phone screenshots missing in $SHOTS"

# Every change has its audit line: who and from where.
grep -q "admin@127.0.0.1 added handler" "$STATE/web-audit.log" || fail "no audit line for the add"
grep -q "admin@127.0.0.1 replay of event" "$STATE/web-audit.log" || fail "no audit line for the replay"
grep -q "admin@127.0.0.1 removed handler(s)" "$STATE/web-audit.log" || fail "no audit line for the removal"
grep -q "admin@127.0.0.1 queued dead letter" "$STATE/web-audit.log" || fail "no audit line for the dead letter retry"
grep -q "admin@127.0.0.1 dropped dead letter" "$STATE/web-audit.log" || fail "no audit line for the dead letter drop"
! grep -q viewer@ "$STATE/web-audit.log" || fail "a viewer changed something: $(cat "$STATE/web-audit.log")"

kill -TERM "$web_pid"
wait "$web_pid" || fail "eventmgr-web did not stop cleanly on SIGTERM"
stop_daemon
