// SPDX-License-Identifier: MIT
#include "daemon/log_format.hpp"

#include <doctest/doctest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>

TEST_SUITE_BEGIN("daemon::log_format");

namespace {

// The lines `message` gives in the log, without the time and level in front of the first.
std::string logged(const std::string& message) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  spdlog::logger log("test", sink);
  log.set_formatter(eventmgr::daemon::make_log_formatter());
  log.error("{}", message);
  std::string text = out.str();
  // "YYYY-MM-DD HH:MM:SS.mmm error "
  REQUIRE(text.size() > 30);
  CHECK(text.substr(23, 7) == " error ");
  return text.substr(30);
}

} // namespace

TEST_CASE("a message's controls are escaped in the log line") {
  CHECK(logged("cannot open pickup file /p/x\x1b]0;PWNED\x07\x1b[2J\r\xc2\x9b\xe2\x80\xae\xff.json") ==
        "cannot open pickup file /p/x\\x1b]0;PWNED\\x07\\x1b[2J\\x0d\\u{9b}\\u{202e}\\xff.json\n");
}

TEST_CASE("a newline in a message starts an indented continuation line, never a line of its own") {
  CHECK(logged("reload: catalog not changed:\nevents.d/a.yaml:3: bad\n2026-12-01 04:05:00.000 info forged") ==
        "reload: catalog not changed:\n  events.d/a.yaml:3: bad\n  2026-12-01 04:05:00.000 info forged\n");
  CHECK(logged("ends with a newline\n") == "ends with a newline\n  \n");
}

TEST_SUITE_END();
