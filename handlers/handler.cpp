// SPDX-License-Identifier: MIT
#include "handlers/handler.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace eventmgr::handlers {

namespace {

constexpr std::array<std::pair<std::string_view, int>, 5> k_priority_presets{{
    {"lowest", 0},
    {"low", 25},
    {"normal", 50},
    {"high", 75},
    {"highest", 100},
}};

} // namespace

std::string_view to_string(StdinMode mode) {
  switch (mode) {
  case StdinMode::none:
    return "none";
  case StdinMode::json:
    return "json";
  }
  return "none";
}

std::optional<StdinMode> parse_stdin_mode(std::string_view text) {
  if (text == "none") {
    return StdinMode::none;
  }
  if (text == "json") {
    return StdinMode::json;
  }
  return std::nullopt;
}

bool same_definition(const Handler& a, const Handler& b) {
  return a.event == b.event && a.priority == b.priority && a.user == b.user && a.command == b.command &&
         a.params == b.params && a.timeout == b.timeout && a.enabled == b.enabled &&
         a.stdin_mode == b.stdin_mode && a.secrets == b.secrets && a.description == b.description &&
         a.retries == b.retries && a.retry_on == b.retry_on && a.retry_delays == b.retry_delays && a.condition == b.condition &&
         a.concurrency == b.concurrency;
}

std::optional<int> parse_priority(std::string_view text) {
  for (const auto& [name, value] : k_priority_presets) {
    if (text == name) {
      return value;
    }
  }
  // Digits only: from_chars would accept a leading '-', and we want no sign, no blanks.
  if (text.empty() || text.size() > 7) {
    return std::nullopt;
  }
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > k_max_priority) {
    return std::nullopt;
  }
  return value;
}

Result<int> validate_priority(std::string_view text) {
  if (auto value = parse_priority(text)) {
    return *value;
  }
  return make_error("invalid priority '" + std::string(text) +
                    "': use lowest (0), low (25), normal (50), high (75), highest (100) or an "
                    "integer 0..1000000");
}

RetryPolicy retry_policy(const Handler& handler, const RetryPolicy& defaults) {
  RetryPolicy policy = defaults;
  if (handler.retries) {
    policy.retries = *handler.retries;
  }
  if (handler.retry_on) {
    policy.retry_on = *handler.retry_on;
  }
  if (handler.retry_delays && !handler.retry_delays->empty()) {
    policy.delays_ms = *handler.retry_delays;
  }
  return policy;
}

} // namespace eventmgr::handlers
