// SPDX-License-Identifier: MIT
#include "daemon/run_tally.hpp"

namespace eventmgr::daemon {

void RunTally::seed(sqlite::Database& db, std::int64_t now_ms) {
  auto query = db.prepare("SELECT started_at / 1000, status, count(*) FROM runs WHERE started_at >= ?1"
                          " GROUP BY 1, 2");
  query.bind(1, now_ms - k_seconds * 1000);
  while (query.step()) {
    auto state = handlers::parse_run_state(query.column_text(1));
    if (!state || (*state != handlers::RunState::ok && !handlers::is_failure(*state))) {
      continue; // running, interrupted
    }
    std::int64_t second = query.column_int(0);
    Second& slot = m_seconds[static_cast<std::size_t>(second % k_seconds)];
    if (slot.second != second) {
      slot = Second{second, 0, 0};
    }
    (*state == handlers::RunState::ok ? slot.ok : slot.failed) += query.column_int(2);
  }
}

void RunTally::add(std::int64_t started_ms, bool failed) {
  std::int64_t second = started_ms / 1000;
  Second& slot = m_seconds[static_cast<std::size_t>(second % k_seconds)];
  if (slot.second > second) {
    return; // started more than an hour before the newest run counted
  }
  if (slot.second != second) {
    slot = Second{second, 0, 0};
  }
  ++(failed ? slot.failed : slot.ok);
}

handlers::RunCounts RunTally::since(std::int64_t since_ms) const {
  handlers::RunCounts counts;
  std::int64_t first = since_ms / 1000;
  for (const Second& slot : m_seconds) {
    if (slot.second >= first) {
      counts.ok += slot.ok;
      counts.failed += slot.failed;
    }
  }
  return counts;
}

} // namespace eventmgr::daemon
