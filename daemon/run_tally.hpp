// SPDX-License-Identifier: MIT
#pragma once

#include "common/sqlite.hpp"
#include "handlers/run_log.hpp"

#include <array>
#include <cstdint>

namespace eventmgr::daemon {

// The runs of the last hour that ended ok and that failed, counted per second of their start
// as their rows are written, so the status file needs no query over the runs table.
class RunTally {
public:
  // Counts the runs of the last hour already in `db` (once, at start).
  void seed(sqlite::Database& db, std::int64_t now_ms);
  // A run that started at `started_ms` and ended ok or `failed`.
  void add(std::int64_t started_ms, bool failed);
  // Runs started at or after `since_ms` (to the second), at most an hour back.
  handlers::RunCounts since(std::int64_t since_ms) const;

private:
  static constexpr std::int64_t k_seconds = 3600;
  struct Second {
    std::int64_t second = -1;
    std::int64_t ok = 0;
    std::int64_t failed = 0;
  };
  std::array<Second, k_seconds> m_seconds{};
};

} // namespace eventmgr::daemon
