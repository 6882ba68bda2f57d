#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# eventmgr-web listens on loopback unless TLS is configured: a non-loopback web.listen without
# web.tls_cert/web.tls_key is refused at start, so is half a TLS pair; with both, the page is
# HTTPS (Asio SSL over OpenSSL), its session cookie is Secure and HSTS is sent.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

WEB_BIN=${EVENTMGR_WEB_BIN:-$EVENTMGR_SOURCE_DIR/build/debug/web/eventmgr-web}
[ -x "$WEB_BIN" ] || skip "no eventmgr-web binary at $WEB_BIN (build first)"
require_cmd openssl curl

start_daemon
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

printf 'web:\n  listen: "0.0.0.0:%s"\n' "$port" >"$TMP/open.yaml"
not 1 "$WEB_BIN" --config "$TMP/open.yaml" --state-dir "$STATE"
grep -q "refusing to listen on 0.0.0.0:$port without TLS" "$TMP/not.out" || fail "no TLS: $(cat "$TMP/not.out")"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -keyout "$TMP/web.key" -out "$TMP/web.crt" \
  2>/dev/null || fail "openssl could not make a test certificate"
printf 'web:\n  listen: "0.0.0.0:%s"\n  tls_cert: %s\n' "$port" "$TMP/web.crt" >"$TMP/half.yaml"
not 1 "$WEB_BIN" --config "$TMP/half.yaml" --state-dir "$STATE"
grep -q "web.tls_cert and web.tls_key go together" "$TMP/not.out" || fail "half a pair: $(cat "$TMP/not.out")"

printf 'web:\n  listen: "0.0.0.0:%s"\n  tls_cert: %s\n  tls_key: %s\n' "$port" "$TMP/web.crt" "$TMP/web.key" >"$TMP/tls.yaml"
"$WEB_BIN" --config "$TMP/tls.yaml" --state-dir "$STATE" >"$TMP/web.log" 2>&1 &
web_pid=$!
kill_on_exit "$web_pid"
wait_for 'grep -q "listening on" "$TMP/web.log" || ! alive '"$web_pid"
alive "$web_pid" || fail "eventmgr-web did not start with TLS: $(cat "$TMP/web.log")"
grep -q "listening on https://0.0.0.0:$port" "$TMP/web.log" || fail "not https: $(cat "$TMP/web.log")"

url=$(em --config "$TMP/tls.yaml" web url)
[ "$url" = "https://127.0.0.1:$port/login?token=$(cat "$STATE/web-admin.token")" ] || fail "eventmgr web url printed $url"
headers=$(curl -sk -D - -o /dev/null "$url") || fail "no HTTPS answer"
echo "$headers" | grep -qi '^Set-Cookie: eventmgr_session=.*; Secure' || fail "the cookie is not Secure: $headers"
echo "$headers" | grep -qi '^Strict-Transport-Security:' || fail "no HSTS: $headers"
# Plain HTTP on the TLS port gets no page.
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$port/login" || true)
[ "$code" != 200 ] || fail "plain HTTP was answered on the TLS port"

kill -TERM "$web_pid"
wait "$web_pid" || fail "eventmgr-web did not stop cleanly on SIGTERM"
stop_daemon
