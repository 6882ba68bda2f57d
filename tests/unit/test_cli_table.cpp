// SPDX-License-Identifier: MIT
#include "cli/table.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <sstream>
#include <string>

using eventmgr::cli::json_text;
using eventmgr::cli::printable;
using eventmgr::cli::printable_lines;
using eventmgr::cli::Table;

TEST_SUITE_BEGIN("cli::table");

TEST_CASE("printable escapes as escape_control: C0, DEL, C1, bidi controls and invalid bytes") {
  CHECK(printable("-rf /\n\tline2 \x1b[31mRED\x1b[0m \x07 \xc2\x9b"
                  "31m C1 \xe2\x80\xae bidi") ==
        "-rf /\\x0a\\x09line2 \\x1b[31mRED\\x1b[0m \\x07 \\u{9b}31m C1 \\u{202e} bidi");
  CHECK(printable("\xff\xfe ok J\xc3\xbcrgen") == "\\xff\\xfe ok J\xc3\xbcrgen");
  // Printing twice changes nothing more.
  CHECK(printable(printable("a\x1b\xc2\x9b\xff")) == "a\\x1b\\u{9b}\\xff");
}

TEST_CASE("printable_lines keeps the newlines of a message and escapes the rest") {
  CHECK(printable_lines("first \x1b[2J\nsecond \xe2\x80\xae\r") == "first \\x1b[2J\nsecond \\u{202e}\\x0d");
  CHECK(printable_lines("") == "");
}

TEST_CASE("json_text writes DEL, C1 and bidi controls as \\u escapes and invalid bytes as U+FFFD") {
  boost::json::object object{{"out", "a\x1b\x7f\xc2\x9b\xe2\x80\xae\xe2\x80\xa8\xff"
                                     "b \xc3\xa9"}};
  const std::string text = json_text(object);
  CHECK(text == "{\"out\":\"a\\u001b\\u007f\\u009b\\u202e\\u2028\\ufffdb \xc3\xa9\"}");
  // It decodes to what was given, but for the invalid byte.
  CHECK(boost::json::parse(text).at("out").as_string() ==
        "a\x1b\x7f\xc2\x9b\xe2\x80\xae\xe2\x80\xa8\xef\xbf\xbd"
        "b \xc3\xa9");
  CHECK(json_text(boost::json::array{1, "x", nullptr}) == "[1,\"x\",null]");
}

TEST_CASE("a table shows every cell printable and aligns the escaped text") {
  Table table({"ID", "NAME"});
  table.add({"1", "evil\x1b]0;T\x07"});
  table.add({"22", "ok"});
  std::ostringstream out;
  table.print(out);
  CHECK(out.str() == "ID  NAME\n1   evil\\x1b]0;T\\x07\n22  ok\n");
}

TEST_SUITE_END();
