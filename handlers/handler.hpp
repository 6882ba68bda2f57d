// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"
#include "common/retry_policy.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::handlers {

enum class StdinMode { none, json };

std::string_view to_string(StdinMode mode);
std::optional<StdinMode> parse_stdin_mode(std::string_view text);

inline constexpr int k_default_priority = 50;
inline constexpr int k_max_priority = 1000000;
inline constexpr int k_default_timeout = 60;

// A registered handler (docs/HANDLERS.md).
struct Handler {
  std::int64_t id = 0;
  std::string event;
  int priority = k_default_priority;
  std::string user;
  std::string command;
  std::vector<std::string> params; // ordered full parameter names for %1..%N
  int timeout = k_default_timeout; // seconds
  bool enabled = true;
  StdinMode stdin_mode = StdinMode::none;
  bool secrets = false;
  std::string description;
  std::int64_t created_at = 0; // unix ms
  std::int64_t updated_at = 0;
  // Retries of failed runs; each unset field takes the config's default.
  std::optional<int> retries;
  std::optional<RetryOn> retry_on;
  std::optional<std::vector<std::int64_t>> retry_delays; // milliseconds
  std::string condition; // `--if` (handlers/condition.hpp); empty: always runs
  int concurrency = 0;   // at most this many runs at once across workers; 0: no limit
};

// The retry policy `handler` runs with: its own settings over the config's `defaults`.
RetryPolicy retry_policy(const Handler& handler, const RetryPolicy& defaults);

// True when `a` and `b` would run the same way for the same events: every field but the id and
// the times is equal (import uses it to leave out a handler that is already registered).
bool same_definition(const Handler& a, const Handler& b);

// "lowest" 0, "low" 25, "normal" 50, "high" 75, "highest" 100, or an integer 0..1000000
// (digits only); nullopt otherwise.
std::optional<int> parse_priority(std::string_view text);
// As parse_priority(), with the error `invalid priority 'TEXT': use lowest (0), low (25),
// normal (50), high (75), highest (100) or an integer 0..1000000`.
Result<int> validate_priority(std::string_view text);

} // namespace eventmgr::handlers
