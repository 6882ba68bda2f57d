// SPDX-License-Identifier: MIT
#include "daemon/last_error.hpp"

#include <doctest/doctest.h>
#include <spdlog/logger.h>

#include <memory>
#include <string>

using eventmgr::daemon::LastErrorSink;

TEST_SUITE_BEGIN("daemon::LastErrorSink");

TEST_CASE("the last error is kept on one line with its controls escaped") {
  auto sink = std::make_shared<LastErrorSink>();
  spdlog::logger log("test", sink);
  std::string last;
  CHECK_FALSE(sink->take_if_changed(last));

  log.warn("a warning is not an error");
  CHECK_FALSE(sink->take_if_changed(last));

  log.error("cannot open pickup file {}: {}",
            "/p/x\x1b]0;PWNED\x07\x1b[2J\n2026-12-01 04:05:00.000 info forged\xc2\x9b\xe2\x80\xae\xff.json",
            "Too many levels of symbolic links");
  REQUIRE(sink->take_if_changed(last));
  // "YYYY-MM-DD HH:MM:SS " then the message.
  REQUIRE(last.size() > 20);
  CHECK(last.substr(20) ==
        "cannot open pickup file /p/x\\x1b]0;PWNED\\x07\\x1b[2J\\x0a2026-12-01 04:05:00.000 info "
        "forged\\u{9b}\\u{202e}\\xff.json: Too many levels of symbolic links");
  CHECK_FALSE(sink->take_if_changed(last));
}

TEST_SUITE_END();
