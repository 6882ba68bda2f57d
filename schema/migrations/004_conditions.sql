-- SPDX-License-Identifier: MIT
-- Schema version 4: handler conditions and concurrency limits, and the handlers an event skipped.
-- A skipped handler gets no row in runs: the event's row says which were skipped and why, written
-- in the transaction that marks the event done (one column, no statement more per event).

ALTER TABLE handlers ADD COLUMN condition TEXT NOT NULL DEFAULT '';  -- `--if`; '' always runs
ALTER TABLE handlers ADD COLUMN concurrency INTEGER NOT NULL DEFAULT 0; -- runs at once; 0 no limit
-- JSON array of {"handler": ID, "if": CONDITION} for the handlers whose condition was false when
-- the event was last dispatched; NULL when none was skipped.
ALTER TABLE events ADD COLUMN skipped TEXT;
