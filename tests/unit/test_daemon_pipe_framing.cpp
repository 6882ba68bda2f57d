// SPDX-License-Identifier: MIT
#include "daemon/pipe_framing.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using eventmgr::daemon::split_line;

namespace {

const std::string k_record =
    R"({"event":"client_delete","id":"v","old":{"login_name":"v","contact_name":"V"}})";
const std::string k_other =
    R"({"event":"client_create","id":"w","new":{"login_name":"w","contact_name":"W \"}{\\"}})";

std::vector<std::string> records_of(std::string_view line) {
  std::vector<std::string> out;
  for (auto record : split_line(line).records) {
    out.emplace_back(record);
  }
  return out;
}

} // namespace

TEST_SUITE_BEGIN("daemon::split_line");

TEST_CASE("a line that is one record is that record, with no prefix") {
  auto framing = split_line(k_record);
  CHECK(framing.prefix.empty());
  CHECK(records_of(k_record) == std::vector<std::string>{k_record});
  CHECK(records_of(k_other) == std::vector<std::string>{k_other});
}

TEST_CASE("a fragment glued in front of a record is the prefix alone") {
  SUBCASE("cut inside a string") {
    const std::string fragment = R"({"event":"client_create","id":"x","new":{"login_na)";
    const std::string line = fragment + k_record;
    CHECK(split_line(line).prefix == fragment);
    CHECK(records_of(line) == std::vector<std::string>{k_record});
  }
  SUBCASE("cut where a value starts: the record reads as the fragment's value") {
    const std::string fragment = R"({"event":"client_create","new":)";
    const std::string line = fragment + k_record;
    CHECK(split_line(line).prefix == fragment);
    CHECK(records_of(line) == std::vector<std::string>{k_record});
  }
  SUBCASE("ending with a complete object that is no record") {
    const std::string fragment = R"({"event":"x","old":{"a":"b"})";
    const std::string line = fragment + k_record;
    CHECK(split_line(line).prefix == fragment);
  }
  SUBCASE("garbage and a stray quote") {
    const std::string fragment = "\"AAAA}}{{\\";
    const std::string line = fragment + k_record;
    CHECK(split_line(line).prefix == fragment);
    CHECK(records_of(line) == std::vector<std::string>{k_record});
  }
}

TEST_CASE("complete records glued without a newline are each a record") {
  const std::string line = k_record + k_other + "  " + k_record;
  CHECK(split_line(line).prefix.empty());
  CHECK(records_of(line) == std::vector<std::string>{k_record, k_other, k_record});
}

TEST_CASE("a line that does not end with a record is all prefix") {
  for (std::string line : {std::string("x"), std::string("{\"event\":\"client_cre"), k_record + "x",
                           std::string(R"({"a":"b"})"), std::string("}"), std::string("\"}")}) {
    CAPTURE(line);
    auto framing = split_line(line);
    CHECK(framing.records.empty());
    CHECK(framing.prefix == line);
  }
}

TEST_CASE("a record is found only in the last 4096 bytes") {
  const std::string big =
      R"({"event":"client_delete","old":{"login_name":")" + std::string(5000, 'x') + R"("}})";
  CHECK(split_line(big).records.empty());
  const std::string line = std::string(100000, 'A') + k_record;
  CHECK(split_line(line).prefix.size() == 100000);
  CHECK(records_of(line) == std::vector<std::string>{k_record});
}

TEST_SUITE_END();
