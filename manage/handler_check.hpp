// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "events/catalog.hpp"
#include "handlers/handler.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::manage {

inline constexpr int k_max_timeout = 86400; // seconds

// One problem with a handler. `field` names the handler field it is about ("event",
// "command", "user", ...), so that import can point at the line of that field.
struct HandlerProblem {
  std::string field;
  std::string message;
};

// A whole number written as 1 to 18 digits (no sign, no spaces); nullopt otherwise.
std::optional<std::int64_t> parse_digits(std::string_view text);

// A timeout in seconds 1..86400 written as digits only; nullopt otherwise.
std::optional<int> parse_timeout(std::string_view text);
// The refusal of a bad timeout, naming the valid range.
std::string invalid_timeout_message(std::string_view text);

inline constexpr int k_max_concurrency = 1000;

// A concurrency limit 0..1000 (0: no limit) written as digits only; nullopt otherwise.
std::optional<int> parse_concurrency(std::string_view text);
// The refusal of a bad concurrency limit, naming the valid range.
std::string invalid_concurrency_message(std::string_view text);

// What would stop the daemon from starting `handler`'s program as its user (a missing program, a
// directory the user cannot search, a file it cannot execute), as `eventmgr check` reports it;
// empty when it can run, or when the event, user or command is invalid (check_handler says so).
std::vector<std::string> reach_problems(const handlers::Handler& handler, const events::Catalog& catalog);

// Checks `handler` as `handler add` does: its event is in `catalog`, its command and params
// pass CommandTemplate::parse and its condition Condition::parse (messages verbatim, the
// latter's field "if"), concurrency 0..1000, its user exists (and is not root unless
// `config.allow_root`), priority 0..1000000, timeout 1..86400, a one-line description.
// Returns every problem; empty when the handler may be stored.
std::vector<HandlerProblem> check_handler(const handlers::Handler& handler, const events::Catalog& catalog,
                                          const Config& config);

// "unknown event 'X'; did you mean A, B or C? (eventmgr events lists all)".
std::string unknown_event_message(const events::Catalog& catalog, const std::string& name);

} // namespace eventmgr::manage
