// SPDX-License-Identifier: MIT
#include "web/html.hpp"

#include <doctest/doctest.h>

using eventmgr::web::html;
using eventmgr::web::html_lines;

TEST_SUITE_BEGIN("web::html");

TEST_CASE("markup in a value shows as text") {
  CHECK(html("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;");
  CHECK(html("\"><img src=x onerror=alert(1)>") == "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
  CHECK(html("it's & that") == "it&#39;s &amp; that");
}

TEST_CASE("control characters and bidi controls are made visible before the entities") {
  CHECK(html("a\nb") == "a\\x0ab");
  CHECK(html("x\x1b[31m") == "x\\x1b[31m");
  CHECK(html("evil\u202Etxt.exe") == "evil\\u{202e}txt.exe");
}

TEST_CASE("html_lines keeps newlines and escapes each line") {
  CHECK(html_lines("<b>\n\x07</b>\n") == "&lt;b&gt;\n\\x07&lt;/b&gt;\n");
}

TEST_SUITE_END();
