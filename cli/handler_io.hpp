// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"
#include "events/catalog.hpp"
#include "handlers/handler.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::cli {

inline constexpr int k_max_timeout = 86400; // seconds

// One problem with a handler. `field` names the handler field it is about ("event",
// "command", "user", ...), so that import can point at the line of that field.
struct HandlerProblem {
  std::string field;
  std::string message;
};


// A timeout in seconds 1..86400 written as digits only; nullopt otherwise.
std::optional<int> parse_timeout(std::string_view text);
// The refusal of a bad timeout, naming the valid range.
std::string invalid_timeout_message(std::string_view text);

// What would stop the daemon from starting `handler`'s program as its user (a missing program, a
// directory the user cannot search, a file it cannot execute), as `eventmgr check` reports it;
// empty when it can run, or when the event, user or command is invalid (check_handler says so).
std::vector<std::string> reach_problems(const handlers::Handler& handler, const events::Catalog& catalog);

// Checks `handler` as `handler add` does: its event is in `catalog`, its command and params
// pass CommandTemplate::parse (messages verbatim), its user exists (and is not root unless
// `config.allow_root`), priority 0..1000000, timeout 1..86400, a one-line description.
// Returns every problem; empty when the handler may be stored.
std::vector<HandlerProblem> check_handler(const handlers::Handler& handler, const events::Catalog& catalog,
                                          const Config& config);

// The YAML of `handler export`: a top-level `handlers:` sequence, each handler with id, event,
// priority, user, command, params, timeout, enabled, stdin, secrets, description, created_at
// and updated_at (RFC 3339 UTC with milliseconds), in the order given.
std::string export_yaml(const std::vector<handlers::Handler>& handlers);

// Reads `text` written by export_yaml (or by hand) from the file `file_name`. Missing fields
// take add's defaults (`config.default_user`, `config.default_timeout`, ...); id and times
// are optional. Every handler is checked with check_handler; duplicate ids are refused. All
// problems are reported at once, one "FILE:LINE: message" per line.
Result<std::vector<handlers::Handler>> import_yaml(const std::string& text, const std::string& file_name,
                                                   const events::Catalog& catalog, const Config& config);

} // namespace eventmgr::cli
