// SPDX-License-Identifier: MIT
#include "handlers/handler.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

using eventmgr::handlers::parse_priority;
using eventmgr::handlers::parse_stdin_mode;
using eventmgr::handlers::StdinMode;
using eventmgr::handlers::validate_priority;

TEST_SUITE_BEGIN("handlers::Handler");

TEST_CASE("A priority is a preset name or an integer from 0 to 1000000") {
  SUBCASE("the presets") {
    CHECK(parse_priority("lowest") == 0);
    CHECK(parse_priority("low") == 25);
    CHECK(parse_priority("normal") == 50);
    CHECK(parse_priority("high") == 75);
    CHECK(parse_priority("highest") == 100);
  }
  SUBCASE("integers, including both ends of the range") {
    CHECK(parse_priority("0") == 0);
    CHECK(parse_priority("7") == 7);
    CHECK(parse_priority("007") == 7);
    CHECK(parse_priority("1000") == 1000);
    CHECK(parse_priority("1000000") == 1000000);
  }
  SUBCASE("anything else is refused") {
    for (const char* text : {"", "-1", "+5", " 5", "5 ", "1000001", "99999999999", "1e3", "0x10", "5.0",
                             "High", "HIGHEST", "higher", "medium", "high "}) {
      CAPTURE(text);
      CHECK(parse_priority(text) == std::nullopt);
    }
  }
}

TEST_CASE("An invalid priority is reported with the valid choices") {
  auto valid = validate_priority("urgent");
  REQUIRE_FALSE(valid.ok());
  CHECK(valid.error().message ==
        "invalid priority 'urgent': use lowest (0), low (25), normal (50), high (75), "
        "highest (100) or an integer 0..1000000");
  auto fine = validate_priority("high");
  REQUIRE(fine.ok());
  CHECK(*fine == 75);
}

TEST_CASE("The stdin mode is none or json") {
  CHECK(parse_stdin_mode("none") == StdinMode::none);
  CHECK(parse_stdin_mode("json") == StdinMode::json);
  CHECK(parse_stdin_mode("JSON") == std::nullopt);
  CHECK(parse_stdin_mode("") == std::nullopt);
  CHECK(to_string(StdinMode::none) == "none");
  CHECK(to_string(StdinMode::json) == "json");
}

TEST_SUITE_END();
