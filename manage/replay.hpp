// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"
#include "common/sqlite.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace eventmgr::manage {

// A replay left for the daemon (events/replay_queue.hpp).
struct ReplayQueued {
  std::int64_t request = 0;
  std::int64_t event_seq = 0;
  std::string event;
  std::optional<std::int64_t> handler_id;
};

// Asks the daemon to run event `which` again (its journal id, digits, or the record's own id),
// all its enabled handlers or only `handler_id`. The error says what is missing or wrong:
// "no event with id or record id 'X' (...)", "no handler with id N (...)", "handler N handles A, not B".
Result<ReplayQueued> request_replay(sqlite::Database& db, const std::string& which,
                                    std::optional<std::int64_t> handler_id);

} // namespace eventmgr::manage
