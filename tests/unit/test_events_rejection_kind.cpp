// SPDX-License-Identifier: MIT
#include "events/rejection_kind.hpp"

#include "events/catalog.hpp"
#include "events/record.hpp"

#include <doctest/doctest.h>

#include <string>

using eventmgr::events::rejection_kind;

TEST_SUITE_BEGIN("events::rejection_kind");

namespace {

// The kind of the reason parse_record gives for `line` against the embedded catalog.
std::string kind_of(const std::string& line) {
  static const auto catalog = eventmgr::events::Catalog::load({});
  REQUIRE(catalog);
  auto parsed = eventmgr::events::parse_record(line, *catalog);
  REQUIRE_FALSE(parsed);
  return std::string(rejection_kind(parsed.error().message));
}

} // namespace

TEST_CASE("each reason parse_record gives has its kind") {
  CHECK(kind_of("   ") == "empty");
  CHECK(kind_of("{\"event\":\"client_create\",\"id\":\"\xff\"}") == "invalid_utf8");
  CHECK(kind_of("not json") == "malformed_json");
  CHECK(kind_of("{\"event\":\"client_create\"} x") == "malformed_json");
  CHECK(kind_of("[1]") == "malformed_json");
  CHECK(kind_of("{\"event\":\"no_such_event\"}") == "unknown_event");
  CHECK(kind_of("{\"event\":\"client_create\",\"colour\":\"x\"}") == "invalid_field");
  CHECK(kind_of("{\"id\":\"x\"}") == "invalid_field");
  CHECK(kind_of("{\"event\":\"\"}") == "invalid_field");
  CHECK(kind_of("{\"event\":1}") == "invalid_field");
  CHECK(kind_of("{\"event\":\"client_create\",\"new\":\"x\"}") == "invalid_field");
  CHECK(kind_of("{\"event\":\"client_create\",\"time\":\"yesterday\",\"new\":{\"login_name\":\"a\"}}") ==
        "invalid_field");
  CHECK(kind_of("{\"event\":\"client_create\",\"new\":{\"nope\":\"a\"}}") == "invalid_parameter");
  CHECK(kind_of("{\"event\":\"client_create\",\"new\":{\"login_name\":{\"a\":1}}}") == "invalid_parameter");
  CHECK(kind_of("{\"event\":\"client_create\",\"new\":{\"contact_name\":\"a\"}}") == "invalid_parameter");
}

TEST_CASE("the intakes' own reasons have their kinds, and an unknown reason is other") {
  CHECK(rejection_kind("record longer than 4096 bytes (5000 bytes, the first 4096 kept)") == "too_long");
  CHECK(rejection_kind("incomplete record: no newline and no further bytes for 200 ms") == "incomplete");
  CHECK(rejection_kind("pickup file a.json is 2000000 bytes; the limit is 1048576") == "too_long");
  CHECK(rejection_kind("pickup file a.json has 2 links; only a file with one link is read") ==
        "refused_file");
  CHECK(rejection_kind("pickup entry x.json is a directory, not a regular file") == "refused_file");
  CHECK(rejection_kind("something new") == "other");
}

TEST_SUITE_END();
