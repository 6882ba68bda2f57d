// SPDX-License-Identifier: MIT
#include "daemon/journal_sink.hpp"

#include "daemon/log_fields.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

using namespace eventmgr::daemon;

TEST_SUITE_BEGIN("daemon::JournalSink");

TEST_CASE("a field without a newline is NAME=value, one with a newline carries its length") {
  std::string out;
  append_journal_field(out, "MESSAGE", "hello");
  CHECK(out == "MESSAGE=hello\n");
  out.clear();
  append_journal_field(out, "MESSAGE", "two\nlines");
  CHECK(out == std::string("MESSAGE\n\x09\0\0\0\0\0\0\0two\nlines\n", 8 + 8 + 9 + 1));
  out.clear();
  append_journal_field(out, "EMPTY", "");
  CHECK(out == "EMPTY=\n");
}

TEST_CASE("stderr is the journal only when JOURNAL_STREAM names the file it is") {
  struct stat st {};
  REQUIRE(::fstat(STDERR_FILENO, &st) == 0);
  const char* saved = std::getenv("JOURNAL_STREAM");
  const std::string before = saved != nullptr ? saved : "";
  const std::string same = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  ::setenv("JOURNAL_STREAM", same.c_str(), 1);
  CHECK(stderr_is_journal());
  ::setenv("JOURNAL_STREAM", (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1)).c_str(), 1);
  CHECK_FALSE(stderr_is_journal());
  ::setenv("JOURNAL_STREAM", (same + "x").c_str(), 1);
  CHECK_FALSE(stderr_is_journal());
  ::unsetenv("JOURNAL_STREAM");
  CHECK_FALSE(stderr_is_journal());
  if (saved != nullptr) {
    ::setenv("JOURNAL_STREAM", before.c_str(), 1);
  }
}

TEST_CASE("log fields nest, the innermost in effect, and end with their scope") {
  CHECK(ScopedLogFields::current() == nullptr);
  {
    const LogFields outer{.message_id = k_message_run_failed, .run_id = 7};
    ScopedLogFields scoped_outer(outer);
    {
      const LogFields inner{.message_id = k_message_record_rejected};
      ScopedLogFields scoped_inner(inner);
      CHECK(ScopedLogFields::current()->message_id == k_message_record_rejected);
    }
    CHECK(ScopedLogFields::current()->run_id == 7);
  }
  CHECK(ScopedLogFields::current() == nullptr);
}

TEST_CASE("the message ids are 128-bit ids in lower-case hex, all different") {
  for (auto id : {k_message_run_failed, k_message_record_rejected, k_message_dead_letter}) {
    CHECK(id.size() == 32);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string_view::npos);
  }
  CHECK(k_message_run_failed != k_message_record_rejected);
  CHECK(k_message_record_rejected != k_message_dead_letter);
  CHECK(k_message_run_failed != k_message_dead_letter);
}

TEST_SUITE_END();
