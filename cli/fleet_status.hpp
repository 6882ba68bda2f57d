// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/sqlite.hpp"
#include "events/fleet_state.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <ostream>
#include <vector>

namespace eventmgr::cli {

// Forwarding is behind by more than this: `eventmgr check` fails.
inline constexpr std::int64_t k_forward_lag_limit_ms = 3'600'000;

// The forwarder as `status` and `check` show it: its stored state and what waits after the
// cursor (the lag), read from the journal.
struct ForwardReport {
  events::ForwardState state;
  events::ForwardLag lag;
  // The lag's age at `now`: how long the oldest unforwarded event has waited (0 when none).
  std::int64_t age_ms(std::int64_t now) const;
};

// Reads the forwarder's report. Throws sqlite::Failure.
ForwardReport read_forward(sqlite::Database& db);

// `eventmgr status` lines and JSON for the fleet: the forwarder when config `forward` is set,
// and the source hosts when the NATS intake journaled any.
void print_fleet_status(std::ostream& out, const Config& config, sqlite::Database& db, std::int64_t now);
void add_fleet_status(boost::json::object& out, const Config& config, sqlite::Database& db, std::int64_t now);

} // namespace eventmgr::cli
