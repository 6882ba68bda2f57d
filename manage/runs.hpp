// SPDX-License-Identifier: MIT
#pragma once

#include "common/sqlite.hpp"
#include "events/catalog.hpp"
#include "handlers/run_log.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace eventmgr::manage {

// True when `event` may filter the run log: a catalog event, or one with runs (an event whose
// catalog file was removed still lists). Otherwise callers answer with the "did you mean" message.
bool run_event_known(const events::Catalog& catalog, sqlite::Database& db, const std::string& event);

// One page of the run log, newest first.
struct RunPage {
  std::vector<handlers::RunRow> rows;
  // Set when older runs match: the `before_id` of the next page (keyset, never OFFSET).
  std::optional<std::int64_t> older_before_id;
};

// At most `filter.limit` runs matching `filter` (its `before_id` picks the page).
RunPage run_page(handlers::RunLog& runs, handlers::RunFilter filter);

// Runs per hour of the 24 hours ending at `now` (unix ms), oldest hour first.
struct HourCounts {
  std::int64_t hour_start = 0; // unix ms
  std::int64_t ok = 0;
  std::int64_t failed = 0;
};
std::array<HourCounts, 24> runs_per_hour(sqlite::Database& db, std::int64_t now);

// The result of each handler's latest run, as describe_result() says it, with its state.
struct LastResult {
  std::int64_t run_id = 0;
  handlers::RunState state = handlers::RunState::running;
  std::string text;
};
// Every handler's latest run, by handler id (one pass over the run log).
std::map<std::int64_t, LastResult> last_results(sqlite::Database& db);

} // namespace eventmgr::manage
