// SPDX-License-Identifier: MIT
#include "daemon/pipe_framing.hpp"

#include "events/record.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <optional>

namespace eventmgr::daemon {
namespace {

bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

std::size_t trim_end(std::string_view line, std::size_t end) {
  while (end > 0 && blank(line[end - 1])) {
    --end;
  }
  return end;
}

// Whether the '"' at `at` is escaped: preceded by an odd run of backslashes.
bool escaped(std::string_view line, std::size_t at) {
  std::size_t run = 0;
  while (at > run && line[at - run - 1] == '\\') {
    ++run;
  }
  return run % 2 == 1;
}

// The start of the JSON object that ends with the '}' at `end - 1`, found by matching braces
// backwards outside strings, at most k_max_pipe_record bytes back. Only a candidate: in text
// that is not JSON the match means nothing until the object parses.
std::optional<std::size_t> object_start(std::string_view line, std::size_t end) {
  const std::size_t floor = end > events::k_max_pipe_record ? end - events::k_max_pipe_record : 0;
  std::size_t depth = 0;
  std::size_t i = end;
  while (i > floor) {
    --i;
    const char c = line[i];
    if (c == '}') {
      ++depth;
    } else if (c == '{') {
      if (--depth == 0) {
        return i;
      }
    } else if (c == '"' && !escaped(line, i)) {
      // Inside a string going backwards: its opening quote is the previous unescaped one.
      do {
        if (i == floor) {
          return std::nullopt;
        }
        --i;
      } while (line[i] != '"' || escaped(line, i));
    }
  }
  return std::nullopt;
}

// A complete JSON object with an "event" member: what a writer's record looks like, valid for
// the catalog or not (an invalid record is then rejected on its own, with its reason).
bool record_like(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  return !ec && value.is_object() && value.as_object().contains("event");
}

} // namespace

Framing split_line(std::string_view line) {
  Framing framing;
  std::size_t end = trim_end(line, line.size());
  while (end > 0 && line[end - 1] == '}') {
    auto start = object_start(line, end);
    if (!start || !record_like(line.substr(*start, end - *start))) {
      break;
    }
    framing.records.push_back(line.substr(*start, end - *start));
    end = trim_end(line, *start);
  }
  std::reverse(framing.records.begin(), framing.records.end());
  framing.prefix = line.substr(0, end);
  return framing;
}

} // namespace eventmgr::daemon
