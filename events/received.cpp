// SPDX-License-Identifier: MIT
#include "events/received.hpp"

namespace eventmgr::events {

std::vector<ReceivedEvent> list_received(sqlite::Database& db, const ReceivedFilter& filter) {
  // Run counts come from the runs_by_event index, one lookup per listed event.
  auto statement = db.prepare(
      "SELECT e.seq, e.event, e.payload, e.via, e.source, e.received_at, e.state, e.finished_at,"
      " coalesce(e.submit_id, ''),"
      " (SELECT count(*) FROM runs r WHERE r.event_seq = e.seq AND r.status = 'ok'),"
      " (SELECT count(*) FROM runs r WHERE r.event_seq = e.seq"
      "   AND r.status IN ('exit', 'signal', 'timeout', 'not_started')),"
      " (SELECT count(*) FROM runs r WHERE r.event_seq = e.seq AND r.status = 'running'),"
      " (SELECT count(*) FROM runs r WHERE r.event_seq = e.seq AND r.status = 'interrupted')"
      " FROM events e"
      " WHERE (?1 IS NULL OR e.event = ?1) AND (?2 IS NULL OR e.submit_id = ?2)"
      " AND (?3 IS NULL OR e.via = ?3) AND (?4 IS NULL OR e.source = ?4)"
      " AND (?5 IS NULL OR e.received_at >= ?5) AND (?6 = 0 OR e.state <> 'done')"
      " AND (?7 = 0 OR (e.state = 'done' AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.event_seq = e.seq)))"
      " ORDER BY e.seq DESC LIMIT ?8");
  auto bind_text = [&statement](int index, const std::optional<std::string>& value) {
    if (value) {
      statement.bind(index, *value);
    } else {
      statement.bind_null(index);
    }
  };
  bind_text(1, filter.event);
  bind_text(2, filter.submit_id);
  bind_text(3, filter.via);
  bind_text(4, filter.source);
  statement.bind(5, filter.since);
  statement.bind(6, filter.unfinished_only ? 1 : 0);
  statement.bind(7, filter.without_runs_only ? 1 : 0);
  statement.bind(8, static_cast<std::int64_t>(filter.limit));
  std::vector<ReceivedEvent> out;
  while (statement.step()) {
    ReceivedEvent row;
    row.entry.seq = statement.column_int(0);
    row.entry.event = statement.column_text(1);
    row.entry.payload = statement.column_text(2);
    row.entry.via = statement.column_text(3);
    row.entry.source = statement.column_text(4);
    row.entry.received_at = statement.column_int(5);
    row.entry.state = parse_event_state(statement.column_text(6)).value_or(EventState::pending);
    row.entry.finished_at = statement.column_optional_int(7);
    row.submit_id = statement.column_text(8);
    row.runs_ok = statement.column_int(9);
    row.runs_failed = statement.column_int(10);
    row.runs_running = statement.column_int(11);
    row.runs_interrupted = statement.column_int(12);
    out.push_back(std::move(row));
  }
  return out;
}

} // namespace eventmgr::events
