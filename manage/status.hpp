// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "events/journal.hpp"
#include "handlers/run_log.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace eventmgr::manage {

// Files waiting in the pickup dir.
struct PickupBacklog {
  std::int64_t files = 0;
  std::optional<std::int64_t> oldest_ms; // modification time of the oldest waiting file
  std::string error;                     // the directory could not be read
};

// The `*.json` regular files waiting in `dir`, and the oldest one's time.
PickupBacklog pickup_backlog(const std::filesystem::path& dir);

// What `eventmgr status` and the web's Status page show: from the journal when the caller may
// read it, else from the daemon's status file (as of its last change).
struct StatusFacts {
  bool running = false;
  PickupBacklog pickup;
  std::optional<events::Counters> counters;
  std::optional<events::Backlog> backlog;
  std::optional<handlers::RunCounts> last_hour;
  std::optional<std::string> started_at; // unix ms, as stored
  std::optional<std::string> pid;
  std::optional<std::string> last_error;
  std::string database_problem; // set when neither the journal nor the status file could be read
};

// Reads the facts for `config` at `now` (unix ms). Every figure comes from an index or a one-row
// table: cheap at any journal size.
StatusFacts read_status(const Config& config, std::int64_t now);

} // namespace eventmgr::manage
