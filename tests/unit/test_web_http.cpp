// SPDX-License-Identifier: MIT
#include "web/http.hpp"

#include <doctest/doctest.h>

using eventmgr::web::cookie_value;
using eventmgr::web::parse_params;
using eventmgr::web::url_decode;
using eventmgr::web::url_encode;

TEST_SUITE_BEGIN("web::http");

TEST_CASE("a form body decodes plus as space, percent escapes and repeated names in order") {
  auto params =
      parse_params("event=client_create&command=%2Fbin%2Fecho+%3Cnew_login_name%3E&id=3&id=7&empty=&flag");
  CHECK(params.value_or("event") == "client_create");
  CHECK(params.value_or("command") == "/bin/echo <new_login_name>");
  CHECK(params.all("id") == std::vector<std::string>{"3", "7"});
  CHECK(params.get("empty") == std::string());
  CHECK(params.get("flag") == std::string());
  CHECK_FALSE(params.get("missing").has_value());
}

TEST_CASE("a broken percent escape stays as it is") {
  CHECK(url_decode("100%", true) == "100%");
  CHECK(url_decode("%zz%4", true) == "%zz%4");
  CHECK(url_decode("a+b", false) == "a+b");
}

TEST_CASE("url_encode keeps unreserved characters only") {
  CHECK(url_encode("a b&c=<d>/é") == "a%20b%26c%3D%3Cd%3E%2F%C3%A9");
  CHECK(url_decode(url_encode("x y+z"), true) == "x y+z");
}

TEST_CASE("a cookie is found by its exact name") {
  CHECK(cookie_value("a=1; eventmgr_session=abc; b=2", "eventmgr_session") == "abc");
  CHECK(cookie_value("xeventmgr_session=abc", "eventmgr_session").empty());
  CHECK(cookie_value("", "eventmgr_session").empty());
}

TEST_SUITE_END();
