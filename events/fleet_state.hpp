// SPDX-License-Identifier: MIT
#pragma once

#include "common/sqlite.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::events {

// The forwarder's durable cursor and state as stored (table forward_state).
struct ForwardState {
  std::int64_t cursor = 0;               // the last journal seq the stream acknowledged
  std::optional<std::int64_t> acked_at;  // when the cursor last moved, unix ms
  std::string state = "starting";        // starting | connected | disconnected | stopped
  std::optional<std::string> last_error; // escaped for display
  std::optional<std::int64_t> last_error_at;
};

// What waits to be forwarded: events after the cursor and the oldest one's arrival.
struct ForwardLag {
  std::int64_t events = 0;
  std::optional<std::int64_t> oldest_received_at;
};

// Per source host, what the NATS intake journaled (table fleet_sources).
struct SourceCount {
  std::string host;
  std::int64_t received = 0;
  std::string newest_id;
  std::int64_t newest_at = 0;
};

// The fleet's rows over one connection. Storage failures throw sqlite::Failure.
class FleetState {
public:
  explicit FleetState(sqlite::Database& db);

  ForwardState forward();
  // Moves the cursor to `cursor` (never back) at `at` (unix ms).
  void save_cursor(std::int64_t cursor, std::int64_t at);
  // Records the connection `state` and, when not empty, `error` as the last error, at `at`.
  void save_state(std::string_view state, std::string_view error, std::int64_t at);
  // Events after `cursor` that a forwarder publishes (not those that came from NATS).
  ForwardLag lag(std::int64_t cursor);
  // Every source host the NATS intake journaled events from, by name.
  std::vector<SourceCount> sources();

private:
  sqlite::Database& m_db;
};

} // namespace eventmgr::events
