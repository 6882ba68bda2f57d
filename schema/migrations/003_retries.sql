-- SPDX-License-Identifier: MIT
-- Schema version 3: retries and dead letters.
-- A handler's retry settings; NULL takes the config's default (retries, retry_on,
-- retry_delays).
ALTER TABLE handlers ADD COLUMN retries INTEGER;
ALTER TABLE handlers ADD COLUMN retry_on TEXT;          -- tempfail | failure
ALTER TABLE handlers ADD COLUMN retry_delays TEXT;      -- JSON array of milliseconds

-- One row per delivery of an event to a handler that failed and is not settled: `waiting`
-- for its next try at due_at (written in the same transaction as the failed run, so a
-- restart retries on time and once), `dead` when its retries are spent, `dropped` when an
-- administrator marked it handled, `queued` when one queued it to run again (it keeps its
-- id). A delivery that succeeds on a retry loses its row; a first run that succeeds never
-- has one.
CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- the dead letter's id users see
  event_seq       INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
  handler_id      INTEGER NOT NULL,
  state           TEXT    NOT NULL,   -- waiting | dead | dropped | queued
  tries           INTEGER NOT NULL,   -- failed runs of this delivery
  due_at          INTEGER,            -- waiting: when the next try starts (unix ms)
  first_failed_at INTEGER NOT NULL,
  last_failed_at  INTEGER NOT NULL,
  last_run_id     INTEGER NOT NULL,
  UNIQUE (event_seq, handler_id)
);
CREATE INDEX deliveries_by_state ON deliveries (state, last_failed_at);
