// SPDX-License-Identifier: MIT
#include "common/retry_policy.hpp"

#include <doctest/doctest.h>

using namespace eventmgr;

TEST_SUITE_BEGIN("common::RetryPolicy");

TEST_CASE("retry delays parse as a list of durations, with or without brackets") {
  auto delays = parse_retry_delays("10s,1m, 5m,30m,2h");
  REQUIRE(delays);
  CHECK(*delays == std::vector<std::int64_t>{10'000, 60'000, 300'000, 1'800'000, 7'200'000});
  auto bracketed = parse_retry_delays("[1s, 2s]");
  REQUIRE(bracketed);
  CHECK(*bracketed == std::vector<std::int64_t>{1000, 2000});
  auto millis = parse_retry_delays("250ms");
  REQUIRE(millis);
  CHECK(*millis == std::vector<std::int64_t>{250});
  CHECK(format_retry_delays(*delays) == "10s,1m,5m,30m,2h");
  CHECK(format_retry_delays({250, 1000, 86'400'000}) == "250ms,1s,1d");
}

TEST_CASE("a bad retry delay is refused, naming it and what is valid") {
  auto bad = parse_retry_delays("10s,soon");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message ==
        "invalid retry delay 'soon': use a number with ms, s, m, h or d (e.g. 10s, 1m, 2h), at most 7d");
  CHECK_FALSE(parse_retry_delays(""));
  CHECK_FALSE(parse_retry_delays("8d"));
  CHECK_FALSE(parse_retry_delays("1s,,2s"));
}

TEST_CASE("retries are 0..100 and retry_on is tempfail or failure") {
  CHECK(parse_retries("0").value() == 0);
  CHECK(parse_retries("100").value() == 100);
  CHECK(parse_retries("101").error().message ==
        "invalid retries '101': use an integer 0..100 (0: never retry)");
  CHECK_FALSE(parse_retries("-1"));
  CHECK_FALSE(parse_retries(""));
  CHECK(parse_retry_on("tempfail") == RetryOn::tempfail);
  CHECK(parse_retry_on("failure") == RetryOn::failure);
  CHECK_FALSE(parse_retry_on("always"));
}

TEST_CASE("the k-th retry waits the k-th delay, the last repeating, within 10 % jitter") {
  RetryPolicy policy;
  policy.delays_ms = {1000, 2000};
  CHECK(retry_delay(policy, 1) == 1000);
  CHECK(retry_delay(policy, 2) == 2000);
  CHECK(retry_delay(policy, 7) == 2000);
  for (int i = 0; i < 200; ++i) {
    std::int64_t delay = jittered_retry_delay(policy, 1);
    CHECK(delay >= 900);
    CHECK(delay <= 1100);
  }
  RetryPolicy defaults;
  CHECK(defaults.retries == 5);
  CHECK(defaults.retry_on == RetryOn::tempfail);
  CHECK(format_retry_delays(defaults.delays_ms) == "10s,1m,5m,30m,2h");
}

TEST_SUITE_END();
