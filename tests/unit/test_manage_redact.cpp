// SPDX-License-Identifier: MIT
#include "manage/redact.hpp"

#include <doctest/doctest.h>

#include <string>

using eventmgr::manage::is_secret_key;
using eventmgr::manage::redact_record;
using eventmgr::manage::SecretNames;

TEST_SUITE_BEGIN("manage::redact");

namespace {

const SecretNames k_names{"password", "pin"};

const std::string k_record =
    R"({"event":"client_create","id":"panel-9","new":{"login_name":"jdoe","contact_name":"J","password":"RealPanelPW-777"}})";

} // namespace

TEST_CASE("a key is secret by the catalog's names or by what it says") {
  CHECK(is_secret_key("password", k_names));
  CHECK(is_secret_key("new_PIN", k_names));
  CHECK(is_secret_key("ftp_passwd", k_names));
  CHECK(is_secret_key("api_secret", k_names));
  CHECK_FALSE(is_secret_key("login_name", k_names));
  CHECK_FALSE(is_secret_key("pinned", k_names));
}

TEST_CASE("a valid record is redacted by its structure") {
  CHECK(
      redact_record(k_record, k_names) ==
      R"({"event":"client_create","id":"panel-9","new":{"login_name":"jdoe","contact_name":"J","password":"***"}})");
  CHECK(redact_record(R"({"new":{"pass\u0077ord":"x","pin":"1234"}})", k_names) ==
        R"({"new":{"password":"***","pin":"***"}})");
}

TEST_CASE("a stray quote or garbage in front of a record does not hide its secrets") {
  const std::string want =
      R"({"event":"client_create","id":"panel-9","new":{"login_name":"jdoe","contact_name":"J","password":"***"}})";
  CHECK(redact_record("\"" + k_record, k_names) == "\"" + want);
  CHECK(redact_record("\"\"\"" + k_record, k_names) == "\"\"\"" + want);
  CHECK(redact_record("garbage{\"x" + k_record, k_names) == "garbage{\"x" + want);
  CHECK(redact_record("\\\"" + k_record, k_names) == "\\\"" + want);
  SUBCASE("a record cut in its secret value") {
    CHECK(redact_record("\"{\"new\":{\"password\":\"RealPa", k_names) == "\"{\"new\":{\"password\":\"***\"");
  }
  SUBCASE("whitespace, escapes and other value kinds") {
    CHECK(redact_record("\"{\"new\":{\"pin\" :\n \"12\\\"34\", \"x\":\"y\"}", k_names) ==
          "\"{\"new\":{\"pin\" :\n \"***\", \"x\":\"y\"}");
    CHECK(redact_record("\"{\"pass\\u0077ord\":\"W\"}", k_names) == "\"{\"pass\\u0077ord\":\"***\"}");
    CHECK(redact_record("\"{\"pin\":1234,\"a\":\"b\"}", k_names) == "\"{\"pin\":\"***\",\"a\":\"b\"}");
    CHECK(redact_record("\"{\"password\":{\"a\":\"RealPW\"},\"b\":\"c\"}", k_names) ==
          "\"{\"password\":\"***\"");
  }
}

TEST_CASE("a fragment that opens a secret value cannot swallow the key of the real one") {
  // The fragment's value ends at the quote that opens the real key: that quote is tried too.
  CHECK(redact_record(R"("password":"{"password":"RealPW"})", k_names) ==
        R"("password":"***"password":"***"})");
  CHECK(redact_record(R"(x"pin": "{"pin":"1234","a":"b"})", k_names) ==
        R"(x"pin": "***"pin":"***","a":"b"})");
}

TEST_CASE("text with no secret key is shown as it is") {
  CHECK(redact_record("this is not JSON at all", k_names) == "this is not JSON at all");
  CHECK(redact_record("\"\\", k_names) == "\"\\");
  CHECK(redact_record("\"password\"", k_names) == "\"password\"");
  CHECK(redact_record("\"password\":", k_names) == "\"password\":");
}

TEST_SUITE_END();
