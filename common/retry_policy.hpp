// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr {

// Which failed runs are retried: `tempfail` only temporary failures (exit 75, time-out,
// signal, not started), `failure` every failure.
enum class RetryOn { tempfail, failure };

std::string_view to_string(RetryOn retry_on);
std::optional<RetryOn> parse_retry_on(std::string_view text);

// How a handler's failed runs are retried: up to `retries` more runs, the k-th after
// `delays_ms[k-1]` (the last delay repeats), each with +-10 % jitter.
struct RetryPolicy {
  int retries = 5;
  RetryOn retry_on = RetryOn::tempfail;
  std::vector<std::int64_t> delays_ms = {10'000, 60'000, 300'000, 1'800'000, 7'200'000};
};

inline constexpr int k_max_retries = 100;

// The delay before retry number `retry` (1, 2, ...) without jitter.
std::int64_t retry_delay(const RetryPolicy& policy, int retry);
// retry_delay() with +-10 % jitter.
std::int64_t jittered_retry_delay(const RetryPolicy& policy, int retry);

// "10s,1m,5m" (also "[10s, 1m]") into milliseconds; every item a duration like "500ms", "10s",
// "1m", "2h", "1d". Error names the bad item and what is valid.
Result<std::vector<std::int64_t>> parse_retry_delays(std::string_view text);
// "10s,1m,5m": the form parse_retry_delays() reads.
std::string format_retry_delays(const std::vector<std::int64_t>& delays_ms);
// One delay as written in the config and on the CLI: "500ms", "10s", "1m", "2h", "1d", the
// largest whole unit.
std::string format_retry_delay(std::int64_t ms);
// `retries` as text: an integer 0..100, with the error naming the range.
Result<int> parse_retries(std::string_view text);

} // namespace eventmgr
