-- SPDX-License-Identifier: MIT
-- Schema version 1: handlers, the event journal, runs, rejected records, counters.
-- Times are unix milliseconds (UTC).

CREATE TABLE handlers (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  event       TEXT    NOT NULL,
  priority    INTEGER NOT NULL DEFAULT 50,
  user        TEXT    NOT NULL,
  command     TEXT    NOT NULL,
  params      TEXT    NOT NULL DEFAULT '[]',   -- JSON array of full parameter names (%1..%N)
  timeout     INTEGER NOT NULL DEFAULT 60,     -- seconds
  enabled     INTEGER NOT NULL DEFAULT 1,
  stdin       TEXT    NOT NULL DEFAULT 'none', -- none | json
  secrets     INTEGER NOT NULL DEFAULT 0,
  description TEXT    NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX handlers_by_event ON handlers (event, priority DESC, id);

-- The journal: one row per accepted event, in arrival order (seq is the event id users see).
CREATE TABLE events (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  submit_id   TEXT UNIQUE,                     -- the submitter's idempotency key, NULL if none
  event       TEXT    NOT NULL,
  payload     TEXT    NOT NULL,                -- canonical JSON of the validated event
  via         TEXT    NOT NULL,                -- pipe | pickup | cli | replay
  source      TEXT    NOT NULL DEFAULT '',
  received_at INTEGER NOT NULL,
  state       TEXT    NOT NULL DEFAULT 'pending', -- pending | running | done
  finished_at INTEGER
);
CREATE INDEX events_unfinished ON events (state, seq) WHERE state <> 'done';
CREATE INDEX events_finished_at ON events (finished_at);

-- One row per handler execution attempt.
CREATE TABLE runs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  event_seq        INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
  handler_id       INTEGER NOT NULL,
  attempt          INTEGER NOT NULL DEFAULT 1,
  user             TEXT    NOT NULL,
  argv             TEXT    NOT NULL,         -- JSON array, secrets redacted
  started_at       INTEGER NOT NULL,
  finished_at      INTEGER,
  status           TEXT    NOT NULL,         -- running | ok | exit | signal | timeout | not_started | interrupted
  exit_code        INTEGER,
  signal           INTEGER,
  timed_out        INTEGER NOT NULL DEFAULT 0,
  start_error      TEXT,
  stdout           BLOB,
  stdout_truncated INTEGER NOT NULL DEFAULT 0,
  stderr           BLOB,
  stderr_truncated INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_by_event ON runs (event_seq, handler_id);
CREATE INDEX runs_by_start ON runs (started_at);

-- `eventmgr replay` requests: the daemon runs the event's handlers (or one handler) again as
-- new attempts, and sets taken_at when it has queued the request.
CREATE TABLE replays (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  event_seq    INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
  handler_id   INTEGER,                    -- NULL: every enabled handler of the event
  requested_at INTEGER NOT NULL,
  taken_at     INTEGER
);
CREATE INDEX replays_waiting ON replays (id) WHERE taken_at IS NULL;

-- Records the daemon refused, kept with their reason.
CREATE TABLE rejected (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at    INTEGER NOT NULL,
  via            TEXT    NOT NULL,
  source         TEXT    NOT NULL DEFAULT '',
  reason         TEXT    NOT NULL,
  raw            BLOB    NOT NULL,           -- up to 64 KiB of the record
  resubmitted_at INTEGER
);
CREATE INDEX rejected_by_time ON rejected (received_at);

-- Cheap totals for `eventmgr status` (accepted, rejected, duplicate).
CREATE TABLE counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('accepted', 0), ('rejected', 0), ('duplicate', 0);

-- The daemon's own facts for `eventmgr status` (pid, started_at, last_error).
CREATE TABLE daemon_state (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
