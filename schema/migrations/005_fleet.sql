-- SPDX-License-Identifier: MIT
-- Schema version 5: the fleet (docs/FLEET.md).
-- forward_state: the forwarder's durable cursor (the last journal seq whose PubAck came back;
-- the next start publishes what follows it) and what `eventmgr status` shows about it.
-- fleet_sources: per source host, the events the NATS intake journaled (duplicates not
-- counted) and the newest of them, kept by the journal in the batch's own transaction.

CREATE TABLE forward_state (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  cursor        INTEGER NOT NULL DEFAULT 0,
  acked_at      INTEGER,                 -- when the cursor last moved, unix ms
  state         TEXT    NOT NULL DEFAULT 'starting', -- starting | connected | disconnected | stopped
  last_error    TEXT,
  last_error_at INTEGER,
  updated_at    INTEGER
);
INSERT INTO forward_state (id) VALUES (1);

CREATE TABLE fleet_sources (
  host        TEXT    PRIMARY KEY,
  received    INTEGER NOT NULL DEFAULT 0,
  newest_id   TEXT    NOT NULL,          -- `<host>:<seq>` of the newest event journaled
  newest_at   INTEGER NOT NULL           -- when it was journaled, unix ms
) WITHOUT ROWID;
