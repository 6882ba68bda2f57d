// SPDX-License-Identifier: MIT
#include "events/replay_queue.hpp"

#include "common/clock.hpp"

namespace eventmgr::events {

ReplayQueue::ReplayQueue(sqlite::Database& db)
  : m_db(db),
    m_insert(db.prepare("INSERT INTO replays (event_seq, handler_id, requested_at) VALUES (?1, ?2, ?3)")),
    m_waiting(db.prepare("SELECT id, event_seq, handler_id FROM replays WHERE taken_at IS NULL ORDER BY id")),
    m_mark_taken(db.prepare("UPDATE replays SET taken_at = ?2 WHERE id = ?1")) {}

std::int64_t ReplayQueue::request(std::int64_t event_seq, std::optional<std::int64_t> handler_id) {
  m_insert.bind(1, event_seq).bind(2, handler_id).bind(3, now_ms());
  m_insert.run();
  return m_db.last_insert_id();
}

std::vector<ReplayRequest> ReplayQueue::take_waiting() {
  std::vector<ReplayRequest> requests;
  sqlite::Transaction transaction(m_db);
  while (m_waiting.step()) {
    requests.push_back({m_waiting.column_int(0), m_waiting.column_int(1), m_waiting.column_optional_int(2)});
  }
  m_waiting.reset();
  std::int64_t now = now_ms();
  for (const auto& request : requests) {
    m_mark_taken.bind(1, request.id).bind(2, now);
    m_mark_taken.run();
  }
  transaction.commit();
  return requests;
}

} // namespace eventmgr::events
