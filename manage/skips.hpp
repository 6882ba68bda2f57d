// SPDX-License-Identifier: MIT
#pragma once

#include "common/sqlite.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::manage {

// A handler an event skipped because its `--if` condition did not hold, and the condition as it
// was written when the event was planned.
struct SkippedHandler {
  std::int64_t handler_id = 0;
  std::string condition;
};

// The handlers in an event row's `skipped` column (a JSON array of {"handler","if"}); empty for
// NULL, "" or anything that does not parse.
std::vector<SkippedHandler> parse_skipped(std::string_view json);

// One event that skipped at least one handler.
struct SkipRow {
  std::int64_t event_seq = 0;
  std::string event;
  std::string submit_id; // the record's `id`, "" when it had none
  std::int64_t received_at = 0;
  std::vector<SkippedHandler> skipped;
};

// Which skips to list; empty fields match all.
struct SkipFilter {
  std::optional<std::string> event;
  std::optional<std::int64_t> handler_id; // only events that skipped this handler
  std::optional<std::int64_t> since;      // received at or after (unix ms)
  std::size_t limit = 50;
};

// The newest `filter.limit` events that skipped a handler and match `filter`, newest first.
// With `handler_id`, each row's `skipped` holds only that handler.
std::vector<SkipRow> list_skips(sqlite::Database& db, const SkipFilter& filter);

// The skipped handlers of each event with seq in [first, last] that skipped any (one query).
std::map<std::int64_t, std::vector<SkippedHandler>> skips_between(sqlite::Database& db, std::int64_t first,
                                                                  std::int64_t last);

} // namespace eventmgr::manage
