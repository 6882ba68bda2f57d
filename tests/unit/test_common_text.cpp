// SPDX-License-Identifier: MIT
#include "common/text.hpp"

#include <doctest/doctest.h>

#include <string>

using eventmgr::escape_control;
using eventmgr::escape_for_message;
using eventmgr::to_valid_utf8;

TEST_SUITE_BEGIN("common::text");

TEST_CASE("escape_control shows C0 controls and DEL as \\xNN, newlines included") {
  CHECK(escape_control("a\x1b]0;TITLE\x07\x1b[2J") == "a\\x1b]0;TITLE\\x07\\x1b[2J");
  CHECK(escape_control("line1\nline2\r\tend") == "line1\\x0aline2\\x0d\\x09end");
  CHECK(escape_control(std::string("nul\0byte", 8)) == "nul\\x00byte");
  CHECK(escape_control("del\x7f") == "del\\x7f");
  CHECK(escape_control("") == "");
  CHECK(escape_control("plain ASCII ~!@#$%^&*()_+{}|:\"<>?\\") == "plain ASCII ~!@#$%^&*()_+{}|:\"<>?\\");
}

TEST_CASE("escape_control shows C1 controls as \\u{N}") {
  CHECK(escape_control("\xc2\x9b"
                       "31mRED") == "\\u{9b}31mRED");
  CHECK(escape_control("\xc2\x80|\xc2\x85|\xc2\x9d|\xc2\x9f") == "\\u{80}|\\u{85}|\\u{9d}|\\u{9f}");
  // U+00A0 (no-break space) and what follows are printable.
  CHECK(escape_control("\xc2\xa0\xc2\xbf") == "\xc2\xa0\xc2\xbf");
}

TEST_CASE("escape_control shows bidi controls and line separators as \\u{N}") {
  CHECK(escape_control("\xe2\x80\xae"
                       "evil") == "\\u{202e}evil");
  CHECK(escape_control("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad") ==
        "\\u{202a}\\u{202b}\\u{202c}\\u{202d}");
  CHECK(escape_control("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9") ==
        "\\u{2066}\\u{2067}\\u{2068}\\u{2069}");
  CHECK(escape_control("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c") == "\\u{200e}\\u{200f}\\u{61c}");
  CHECK(escape_control("a\xe2\x80\xa8"
                       "b\xe2\x80\xa9"
                       "c") == "a\\u{2028}b\\u{2029}c");
  // Neighbours that are not controls stay: U+202F, U+2065, U+200D (joins emoji), U+061B.
  CHECK(escape_control("\xe2\x80\xaf\xe2\x81\xa5\xe2\x80\x8d\xd8\x9b") ==
        "\xe2\x80\xaf\xe2\x81\xa5\xe2\x80\x8d\xd8\x9b");
}

TEST_CASE("escape_control keeps printable UTF-8 as it is") {
  CHECK(escape_control("J\xc3\xbcrgen \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80") ==
        "J\xc3\xbcrgen \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80");
}

TEST_CASE("escape_control shows each byte of invalid UTF-8 as \\xNN") {
  CHECK(escape_control("\xff\xfe") == "\\xff\\xfe");
  SUBCASE("overlong form") {
    CHECK(escape_control("a\xc0\xaf"
                         "b") == "a\\xc0\\xafb");
  }
  SUBCASE("overlong C1 control") {
    CHECK(escape_control("\xe0\x82\x9b") == "\\xe0\\x82\\x9b");
  }
  SUBCASE("surrogate") {
    CHECK(escape_control("\xed\xa0\x80") == "\\xed\\xa0\\x80");
  }
  SUBCASE("above U+10FFFF") {
    CHECK(escape_control("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");
  }
  SUBCASE("lone continuation byte") {
    CHECK(escape_control("\x9b[31m") == "\\x9b[31m");
  }
  SUBCASE("sequence cut at the end") {
    CHECK(escape_control("ok\xe2\x80") == "ok\\xe2\\x80");
  }
  SUBCASE("sequence cut by ASCII") {
    CHECK(escape_control("\xe2\x80x\xc3\xa9") == "\\xe2\\x80x\xc3\xa9");
  }
}

TEST_CASE("escape_control leaves nothing a terminal acts on") {
  // Every single byte and every two-byte sequence: the result is printable ASCII or valid
  // UTF-8 without controls.
  for (int first = 0; first < 256; ++first) {
    for (int second = -1; second < 256; ++second) {
      std::string text(1, static_cast<char>(first));
      if (second >= 0) {
        text += static_cast<char>(second);
      }
      const std::string shown = escape_control(text);
      REQUIRE_FALSE(eventmgr::find_invalid_utf8(shown).has_value());
      for (std::size_t i = 0; i < shown.size(); ++i) {
        const auto c = static_cast<unsigned char>(shown[i]);
        REQUIRE_MESSAGE((c >= 0x20 && c != 0x7f),
                        "byte " << int(c) << " in the output for " << first << "," << second);
        if (c == 0xc2 && i + 1 < shown.size()) {
          REQUIRE_MESSAGE(static_cast<unsigned char>(shown[i + 1]) >= 0xa0,
                          "a C1 control for " << first << "," << second);
        }
      }
    }
  }
}

TEST_CASE("escape_for_message cuts after 64 bytes at a character boundary, then escapes") {
  CHECK(escape_for_message(std::string(70, 'a')) == std::string(64, 'a') + "...");
  CHECK(escape_for_message(std::string(64, 'a')) == std::string(64, 'a'));
  // The cut falls inside the two-byte "é": it moves back before it.
  CHECK(escape_for_message(std::string(63, 'a') + "\xc3\xa9" + "zz") == std::string(63, 'a') + "...");
  CHECK(escape_for_message("name\x1b]0;T\x07\nforged \xe2\x80\xae") ==
        "name\\x1b]0;T\\x07\\x0aforged \\u{202e}");
}

TEST_CASE("to_valid_utf8 replaces invalid bytes with U+FFFD") {
  CHECK(to_valid_utf8("a\xff"
                      "b") == "a\xef\xbf\xbd"
                              "b");
  CHECK(to_valid_utf8("\xc3\xa9") == "\xc3\xa9");
}

TEST_SUITE_END();
