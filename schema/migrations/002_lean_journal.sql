-- SPDX-License-Identifier: MIT
-- Schema version 2: a leaner journal, measured with callgrind on the intake path (issue 7).
-- Each journaled event cost a write to sqlite_sequence (AUTOINCREMENT), an entry in
-- events_finished_at and an index entry for an absent submit_id; together about 60% of
-- SQLite's work per event. Now:
-- - seq is given by the journal from counters.last_seq, written once per batch, so a seq is
--   never used twice even after prune removed the newest events;
-- - submit_id is indexed only where present;
-- - prune finds old done events by scanning (it runs rarely) instead of by an index.
-- The events table is rebuilt; eventmgrd runs this with foreign keys off, so the runs and
-- replays that refer to events stay as they are.

CREATE TABLE events_v2 (
  seq         INTEGER PRIMARY KEY,             -- the event id users see, never reused
  submit_id   TEXT,                            -- the submitter's idempotency key, NULL if none
  event       TEXT    NOT NULL,
  payload     TEXT    NOT NULL,                -- JSON of the validated event, empty values left out
  via         TEXT    NOT NULL,                -- pipe | pickup | cli | replay
  source      TEXT    NOT NULL DEFAULT '',
  received_at INTEGER NOT NULL,
  state       TEXT    NOT NULL DEFAULT 'pending', -- pending | running | done
  finished_at INTEGER
);
INSERT INTO events_v2 (seq, submit_id, event, payload, via, source, received_at, state, finished_at)
  SELECT seq, submit_id, event, payload, via, source, received_at, state, finished_at FROM events;
INSERT INTO counters (name, value) VALUES ('last_seq', max(
  coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),
  coalesce((SELECT max(seq) FROM events), 0)));
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
DELETE FROM sqlite_sequence WHERE name = 'events';
CREATE UNIQUE INDEX events_by_submit_id ON events (submit_id) WHERE submit_id IS NOT NULL;
CREATE INDEX events_unfinished ON events (state, seq) WHERE state <> 'done';
