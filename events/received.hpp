// SPDX-License-Identifier: MIT
#pragma once

#include "common/sqlite.hpp"
#include "events/journal.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace eventmgr::events {

// One journaled event with what became of it, as `eventmgr received` lists it: the view of
// every event that arrived, including those that matched no handler.
struct ReceivedEvent {
  JournalEntry entry;
  std::string submit_id;    // the record's `id`, "" when it had none
  std::int64_t runs_ok = 0; // runs of this event that succeeded (every attempt counts)
  std::int64_t runs_failed = 0;
  std::int64_t runs_running = 0;
  std::int64_t runs_interrupted = 0;
};

// Which events to list; every field left empty matches all.
struct ReceivedFilter {
  std::optional<std::string> event;
  std::optional<std::string> submit_id;
  std::optional<std::string> via;
  std::optional<std::string> source;
  std::optional<std::int64_t> since; // received at or after (unix ms)
  bool unfinished_only = false;      // pending or running
  bool without_runs_only = false;    // finished with no run: no handler matched
  std::size_t limit = 50;
};

// The newest `filter.limit` events that match `filter`, newest first.
std::vector<ReceivedEvent> list_received(sqlite::Database& db, const ReceivedFilter& filter);

} // namespace eventmgr::events
