// SPDX-License-Identifier: MIT
#include "daemon/run_tally.hpp"

#include <doctest/doctest.h>

using eventmgr::daemon::RunTally;

TEST_SUITE_BEGIN("daemon::RunTally");

TEST_CASE("runs are counted by the second they started, an hour back at most") {
  RunTally tally;
  const std::int64_t now = 10'000'000'000;
  tally.add(now - 1000, false);
  tally.add(now - 1000, true);
  tally.add(now - 30 * 60 * 1000, true);
  tally.add(now - 2 * 3600 * 1000, false); // older than the newest count by more than an hour: dropped

  auto hour = tally.since(now - 3600 * 1000);
  CHECK(hour.ok == 1);
  CHECK(hour.failed == 2);
  auto minute = tally.since(now - 60 * 1000);
  CHECK(minute.ok == 1);
  CHECK(minute.failed == 1);
  // An hour later the second's slot is reused.
  tally.add(now - 1000 + 3600 * 1000, false);
  hour = tally.since(now);
  CHECK(hour.ok == 1);
  CHECK(hour.failed == 0);
}

TEST_SUITE_END();
