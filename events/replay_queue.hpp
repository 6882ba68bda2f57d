// SPDX-License-Identifier: MIT
#pragma once

#include "common/sqlite.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace eventmgr::events {

// A request to run an event's handlers again (`eventmgr replay`).
struct ReplayRequest {
  std::int64_t id = 0;
  std::int64_t event_seq = 0;
  std::optional<std::int64_t> handler_id; // nullopt: every enabled handler
};

// The `replays` table: the CLI adds requests, the daemon takes them. Storage failures throw
// sqlite::Failure.
class ReplayQueue {
public:
  explicit ReplayQueue(sqlite::Database& db);
  // Queues a replay of event `event_seq` (one handler, or all); returns the request id.
  std::int64_t request(std::int64_t event_seq, std::optional<std::int64_t> handler_id);
  // Requests not yet taken, oldest first; each is marked taken in the same transaction.
  std::vector<ReplayRequest> take_waiting();

private:
  sqlite::Database& m_db;
  sqlite::Statement m_insert;
  sqlite::Statement m_waiting;
  sqlite::Statement m_mark_taken;
};

} // namespace eventmgr::events
