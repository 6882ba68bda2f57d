// SPDX-License-Identifier: MIT
// libFuzzer target for the pipe intake's line framing: for any line, the prefix and the
// records are consecutive pieces of it that cover it (blanks between records aside), each
// record is at most 4096 bytes, parses as a JSON object with an "event" member, and split
// again is that one record.
#include "daemon/pipe_framing.hpp"
#include "events/record.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <boost/json/parse.hpp>

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using eventmgr::fuzzing::check;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto framing = eventmgr::daemon::split_line(line);
  check(framing.prefix.data() == line.data() || line.empty());
  const char* at = line.data() + framing.prefix.size();
  for (std::string_view record : framing.records) {
    while (at < record.data()) {
      check(*at == ' ' || *at == '\t' || *at == '\r');
      ++at;
    }
    check(at == record.data());
    check(record.size() <= eventmgr::events::k_max_pipe_record);
    boost::system::error_code ec;
    auto value = boost::json::parse(record, ec);
    check(!ec && value.is_object() && value.as_object().contains("event"));
    const auto again = eventmgr::daemon::split_line(record);
    check(again.prefix.empty() && again.records.size() == 1 && again.records[0] == record);
    at += record.size();
  }
  while (at < line.data() + line.size()) {
    check(*at == ' ' || *at == '\t' || *at == '\r');
    ++at;
  }
  return 0;
}
