#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# NATS down (docs/FLEET.md): a host keeps journaling and handling its events locally; the
# forward backlog waits in SQLite (the daemon's memory does not grow with it), status shows
# the forwarder disconnected with its lag and last error, check fails once the lag is older
# than an hour; when nats-server comes up the daemon creates the stream (duplicate window
# from the config) and the backlog drains in journal order, and check passes again.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=fleet_lib.sh
source "$(dirname "$0")/fleet_lib.sh"
require_cmd python3 jq

backlog=${EVENTMGR_FLEET_BACKLOG:-5000}

# A port nothing listens on yet: nats-server takes a free one and stops, then comes back on it.
start_nats
kill9_nats
rm -rf "$TMP/nats-store"
cat >"$TMP/h1.yaml" <<CONF
forward:
  url: $NATS_URL
  host: h1.example.com
  duplicate_window: 3600
CONF
start_node h1
handler_script record <<'EOF2'
printf '%s\n' "$1" >>@OUT@/handled
EOF2
node_cli h1 handler add --user "$HUSER" --event client_create --command "$BIN/record <new_login_name>" >/dev/null ||
  fail "handler add failed"

write_events h1 "$backlog" 0
wait_for "[ \"\$(lines \"\$OUT/handled\")\" -ge $backlog ]" 120

# Handled locally; nothing forwarded; status and check say why.
node_cli h1 status >"$TMP/status"
grep -Eq '^forward: +disconnected' "$TMP/status" || fail "status: $(cat "$TMP/status")"
grep -Eq "^lag: +$backlog events, oldest" "$TMP/status" || fail "status: $(cat "$TMP/status")"
grep -Eq "^forward error: last .*not connected to NATS $NATS_URL" "$TMP/status" || fail "status: $(cat "$TMP/status")"
node_cli h1 status --json >"$TMP/status.json"
jq -e --argjson n "$backlog" '.forward | .state == "disconnected" and .cursor == 0 and .lag_events == $n and
  .last_error != null and .lag_oldest_age_ms != null' "$TMP/status.json" >/dev/null ||
  fail "status --json: $(cat "$TMP/status.json")"
node_cli h1 check >"$TMP/check" || fail "check fails with a lag of seconds: $(cat "$TMP/check")"
grep -q "forward: $backlog events wait to be forwarded" "$TMP/check" || fail "check: $(cat "$TMP/check")"
pid=${NODE_PIDS[h1]}
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
echo "daemon VmHWM with $backlog events waiting to be forwarded: $hwm KiB"
if ! sanitized_daemon; then
  [ "$hwm" -lt $((48 * 1024)) ] || fail "the daemon's peak memory is $hwm KiB with the backlog"
fi

# The oldest waiting event is made two hours old: check fails and says why.
sqlite3 -cmd '.timeout 10000' "$TMP/h1/eventmgr.db" \
  "UPDATE events SET received_at = received_at - 7200000 WHERE seq = (SELECT min(seq) FROM events)"
not 1 node_cli h1 check
grep -q "FAIL  forward: $backlog events wait to be forwarded, the oldest for 2h.*more than an hour.*not connected" "$TMP/not.out" ||
  fail "check: $(cat "$TMP/not.out")"

# NATS comes up: the stream is created (file storage, the configured duplicate window) and the
# backlog drains, in journal order.
start_nats
wait_for "forwarded_all h1" 120
node_cli h1 check >"$TMP/check" || fail "check after the drain: $(cat "$TMP/check")"
grep -q "forward: 0 events wait to be forwarded" "$TMP/check" || fail "check: $(cat "$TMP/check")"
node_cli h1 status | grep -Eq '^forward: +connected' || fail "status after the drain: $(node_cli h1 status)"

# What the stream holds, read with a bare JetStream request (no nats CLI in Debian 12): the
# stream's config and the first and last message.
python3 - "$NATS_PORT" "$backlog" <<'PY' || fail "the stream is not as forwarded"
import json, socket, sys
port, backlog = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
f = s.makefile("rb")
f.readline()  # INFO
s.sendall(b'CONNECT {"verbose":false,"headers":true,"no_responders":true}\r\nSUB _INBOX.t 1\r\n')
def request(subject, body=b""):
    s.sendall(b"PUB %s _INBOX.t %d\r\n%s\r\n" % (subject.encode(), len(body), body))
    while True:
        line = f.readline().strip()
        if line.startswith(b"PING"):
            s.sendall(b"PONG\r\n")
        elif line.startswith(b"MSG") or line.startswith(b"HMSG"):
            parts = line.split()
            size = int(parts[-1])
            data = f.read(size + 2)[:-2]
            if line.startswith(b"HMSG"):
                hsize = int(parts[-2])
                return data[:hsize], data[hsize:]
            return b"", data
info = json.loads(request("$JS.API.STREAM.INFO.EVENTMGR")[1])
cfg, state = info["config"], info["state"]
assert cfg["storage"] == "file", cfg
assert cfg["duplicate_window"] == 3600 * 10**9, cfg
assert cfg["subjects"] == ["eventmgr.>"], cfg
assert state["messages"] == backlog, state
for seq, want in ((1, 1), (backlog, backlog)):
    msg = json.loads(request("$JS.API.STREAM.MSG.GET.EVENTMGR", json.dumps({"seq": seq}).encode())[1])["message"]
    assert msg["subject"] == "eventmgr.h1_example_com.client_create", msg
    import base64
    headers = base64.b64decode(msg["hdrs"]).decode()
    assert "Nats-Msg-Id: h1.example.com:%d" % want in headers, headers
    body = json.loads(base64.b64decode(msg["data"]))
    assert body["new"]["login_name"] == "h1-%d" % want, body
PY
stop_node h1
