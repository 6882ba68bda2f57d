// SPDX-License-Identifier: MIT
#include "common/retry_policy.hpp"

#include "common/clock.hpp"
#include "common/text.hpp"

#include <random>

namespace eventmgr {
namespace {

constexpr std::int64_t k_max_delay_ms = 7LL * 86'400'000; // a week

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<std::int64_t> parse_delay(std::string_view text) {
  if (text.size() > 2 && text.ends_with("ms")) {
    auto seconds = parse_duration(std::string(text.substr(0, text.size() - 2)) + "s");
    if (!seconds) {
      return std::nullopt;
    }
    return *seconds / 1000;
  }
  return parse_duration(text);
}

} // namespace

std::string_view to_string(RetryOn retry_on) {
  return retry_on == RetryOn::failure ? "failure" : "tempfail";
}

std::optional<RetryOn> parse_retry_on(std::string_view text) {
  if (text == "tempfail") {
    return RetryOn::tempfail;
  }
  if (text == "failure") {
    return RetryOn::failure;
  }
  return std::nullopt;
}

std::int64_t retry_delay(const RetryPolicy& policy, int retry) {
  if (policy.delays_ms.empty() || retry < 1) {
    return 0;
  }
  auto index = static_cast<std::size_t>(retry - 1);
  return policy.delays_ms[std::min(index, policy.delays_ms.size() - 1)];
}

std::int64_t jittered_retry_delay(const RetryPolicy& policy, int retry) {
  // Jitter spreads the retries of a burst of failures (a DNS API down for a minute), so they
  // do not all hit the recovered service at once.
  thread_local std::minstd_rand random{std::random_device{}()};
  std::int64_t delay = retry_delay(policy, retry);
  std::int64_t spread = delay / 10;
  if (spread <= 0) {
    return delay;
  }
  std::uniform_int_distribution<std::int64_t> jitter(-spread, spread);
  return delay + jitter(random);
}

Result<std::vector<std::int64_t>> parse_retry_delays(std::string_view text) {
  text = trim(text);
  if (text.starts_with('[') && text.ends_with(']')) {
    text = trim(text.substr(1, text.size() - 2));
  }
  std::vector<std::int64_t> delays;
  if (text.empty()) {
    return make_error("invalid retry delays '': expected durations separated by commas, e.g. 10s,1m,5m");
  }
  while (true) {
    auto comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    auto delay = parse_delay(item);
    if (!delay || *delay > k_max_delay_ms) {
      return make_error("invalid retry delay '" + escape_for_message(item) +
                        "': use a number with ms, s, m, h or d (e.g. 10s, 1m, 2h), at most 7d");
    }
    delays.push_back(*delay);
    if (comma == std::string_view::npos) {
      break;
    }
    text.remove_prefix(comma + 1);
  }
  return delays;
}

std::string format_retry_delay(std::int64_t ms) {
  struct Unit {
    std::int64_t ms;
    const char* suffix;
  };
  for (const Unit unit : {Unit{86'400'000, "d"}, Unit{3'600'000, "h"}, Unit{60'000, "m"}, Unit{1000, "s"}}) {
    if (ms > 0 && ms % unit.ms == 0) {
      return std::to_string(ms / unit.ms) + unit.suffix;
    }
  }
  return std::to_string(ms) + "ms";
}

std::string format_retry_delays(const std::vector<std::int64_t>& delays_ms) {
  std::string text;
  for (std::int64_t delay : delays_ms) {
    // Two appends, not `sep + format_retry_delay(...)`: GCC 12 at -O2 reports a false -Wrestrict there.
    if (!text.empty()) {
      text += ',';
    }
    text += format_retry_delay(delay);
  }
  return text;
}

Result<int> parse_retries(std::string_view text) {
  int value = 0;
  bool digits = !text.empty() && text.size() <= 3;
  for (char c : text) {
    digits = digits && c >= '0' && c <= '9';
    value = value * 10 + (c - '0');
  }
  if (!digits || value > k_max_retries) {
    return make_error("invalid retries '" + escape_for_message(text) + "': use an integer 0.." +
                      std::to_string(k_max_retries) + " (0: never retry)");
  }
  return value;
}

} // namespace eventmgr
