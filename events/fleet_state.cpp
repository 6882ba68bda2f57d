// SPDX-License-Identifier: MIT
#include "events/fleet_state.hpp"

#include "events/journal.hpp"

namespace eventmgr::events {

FleetState::FleetState(sqlite::Database& db) : m_db(db) {}

ForwardState FleetState::forward() {
  ForwardState state;
  auto query = m_db.prepare(
      "SELECT cursor, acked_at, state, last_error, last_error_at FROM forward_state WHERE id = 1");
  if (query.step()) {
    state.cursor = query.column_int(0);
    state.acked_at = query.column_optional_int(1);
    state.state = query.column_text(2);
    if (!query.column_is_null(3)) {
      state.last_error = query.column_text(3);
    }
    state.last_error_at = query.column_optional_int(4);
  }
  return state;
}

void FleetState::save_cursor(std::int64_t cursor, std::int64_t at) {
  auto update =
      m_db.prepare("UPDATE forward_state SET cursor = max(cursor, ?1), acked_at = ?2, updated_at = ?2"
                   " WHERE id = 1");
  update.bind(1, cursor).bind(2, at);
  update.run();
}

void FleetState::save_state(std::string_view state, std::string_view error, std::int64_t at) {
  auto update =
      m_db.prepare("UPDATE forward_state SET state = ?1, updated_at = ?3,"
                   " last_error = CASE WHEN ?2 = '' THEN last_error ELSE ?2 END,"
                   " last_error_at = CASE WHEN ?2 = '' THEN last_error_at ELSE ?3 END WHERE id = 1");
  update.bind(1, state).bind(2, error).bind(3, at);
  update.run();
}

ForwardLag FleetState::lag(std::int64_t cursor) {
  ForwardLag lag;
  auto query = m_db.prepare("SELECT count(*), min(received_at) FROM events WHERE seq > ?1 AND via <> ?2");
  query.bind(1, cursor).bind(2, k_via_nats);
  if (query.step()) {
    lag.events = query.column_int(0);
    lag.oldest_received_at = query.column_optional_int(1);
  }
  return lag;
}

std::vector<SourceCount> FleetState::sources() {
  std::vector<SourceCount> sources;
  auto query = m_db.prepare("SELECT host, received, newest_id, newest_at FROM fleet_sources ORDER BY host");
  while (query.step()) {
    sources.push_back({query.column_text(0), query.column_int(1), query.column_text(2), query.column_int(3)});
  }
  return sources;
}

} // namespace eventmgr::events
