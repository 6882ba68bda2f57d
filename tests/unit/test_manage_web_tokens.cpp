// SPDX-License-Identifier: MIT
#include "manage/web_tokens.hpp"

#include "manage/web_listen.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

TEST_SUITE_BEGIN("manage::web_tokens");

TEST_CASE("a token is made once: 256 random bits, mode 0600, the same on the next start") {
  eventmgr::testing::TempDir dir;
  auto path = eventmgr::manage::web_admin_token_path(dir.path());
  auto made = eventmgr::manage::ensure_web_token(path);
  REQUIRE_MESSAGE(made.ok(), made.error().message);
  CHECK(made->size() == 64);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto again = eventmgr::manage::ensure_web_token(path);
  REQUIRE(again.ok());
  CHECK(*again == *made);
  CHECK(*eventmgr::manage::read_web_token(path) == *made);
  auto viewer = eventmgr::manage::ensure_web_token(eventmgr::manage::web_viewer_token_path(dir.path()));
  REQUIRE(viewer.ok());
  CHECK(*viewer != *made);
}

TEST_CASE("a token file others may read is refused") {
  eventmgr::testing::TempDir dir;
  auto path = eventmgr::manage::web_admin_token_path(dir.path());
  REQUIRE(eventmgr::manage::ensure_web_token(path).ok());
  fs::permissions(path, fs::perms::group_read, fs::perm_options::add);
  auto read = eventmgr::manage::read_web_token(path);
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().message.find("mode 0600") != std::string::npos);
  CHECK_FALSE(eventmgr::manage::ensure_web_token(path).ok());
}

TEST_CASE("a missing or short token is an error naming the file") {
  eventmgr::testing::TempDir dir;
  auto path = eventmgr::manage::web_admin_token_path(dir.path());
  auto missing = eventmgr::manage::read_web_token(path);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find(path.string()) != std::string::npos);
  { std::ofstream(path) << "short\n"; }
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  CHECK_FALSE(eventmgr::manage::read_web_token(path).ok());
}

TEST_SUITE_END();

TEST_SUITE_BEGIN("manage::web_listen");

TEST_CASE("web.listen takes ADDRESS:PORT and [IPV6]:PORT") {
  auto v4 = eventmgr::manage::parse_listen("127.0.0.1:8750");
  REQUIRE(v4.ok());
  CHECK(v4->address == "127.0.0.1");
  CHECK(v4->port == 8750);
  CHECK(v4->loopback);
  auto v6 = eventmgr::manage::parse_listen("[::1]:8443");
  REQUIRE(v6.ok());
  CHECK(v6->address == "::1");
  CHECK(v6->loopback);
  auto any = eventmgr::manage::parse_listen("0.0.0.0:8443");
  REQUIRE(any.ok());
  CHECK_FALSE(any->loopback);
  CHECK(any->unspecified);
  for (const char* bad :
       {"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", "example.com:80", ":80"}) {
    CAPTURE(std::string(bad));
    auto refused = eventmgr::manage::parse_listen(bad);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("valid: ADDRESS:PORT") != std::string::npos);
  }
}

TEST_CASE("the config's web section and the login link") {
  eventmgr::ConfigSources sources;
  sources.state_dir = "/var/lib/eventmgr";
  auto config = eventmgr::parse_config(
      "web:\n  listen: \"0.0.0.0:8443\"\n  tls_cert: web.crt\n  tls_key: /etc/ssl/web.key\n", "eventmgr.yaml",
      sources);
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  CHECK(config->web.tls_cert == "/var/lib/eventmgr/web.crt");
  CHECK(config->web.tls_key == "/etc/ssl/web.key");
  CHECK(*eventmgr::manage::web_login_url(*config, "abc") == "https://127.0.0.1:8443/login?token=abc");
  config->web.host_names = {"panel.example.com"};
  CHECK(*eventmgr::manage::web_login_url(*config, "abc") == "https://panel.example.com:8443/login?token=abc");

  auto plain = eventmgr::parse_config("", "", sources);
  REQUIRE(plain.ok());
  CHECK(plain->web.listen == "127.0.0.1:8750");
  CHECK(*eventmgr::manage::web_login_url(*plain, "abc") == "http://127.0.0.1:8750/login?token=abc");

  auto bad = eventmgr::parse_config("web:\n  port: 1\n", "eventmgr.yaml", sources);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message ==
        "eventmgr.yaml:2: web: unknown key 'port'; valid: listen, tls_cert, tls_key, host_names (a list)");
}

TEST_SUITE_END();
