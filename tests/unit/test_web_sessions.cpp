// SPDX-License-Identifier: MIT
#include "web/sessions.hpp"

#include <doctest/doctest.h>

using eventmgr::web::LoginThrottle;
using eventmgr::web::Role;
using eventmgr::web::same_secret;
using eventmgr::web::SessionStore;

TEST_SUITE_BEGIN("web::sessions");

TEST_CASE("a session has 256 random bits for its cookie and its CSRF token") {
  SessionStore store;
  auto a = store.create(Role::admin, 1000);
  auto b = store.create(Role::viewer, 1000);
  CHECK(a.id.size() == 64);
  CHECK(a.csrf.size() == 64);
  CHECK(a.id != b.id);
  CHECK(a.id != a.csrf);
  auto found = store.find(a.id, 2000);
  REQUIRE(found.has_value());
  CHECK(found->role == Role::admin);
  CHECK(found->csrf == a.csrf);
  CHECK(store.find(b.id, 2000)->role == Role::viewer);
  CHECK_FALSE(store.find("", 2000).has_value());
  CHECK_FALSE(store.find("not-a-session", 2000).has_value());
}

TEST_CASE("a session expires after 12 idle hours, and use keeps it alive") {
  SessionStore store;
  auto session = store.create(Role::admin, 0);
  const std::int64_t hour = 3'600'000;
  CHECK(store.find(session.id, 11 * hour).has_value());
  CHECK(store.find(session.id, 23 * hour).has_value()); // 12 h after the last use, not after the start
  CHECK_FALSE(store.find(session.id, 35 * hour + 1).has_value());
  CHECK_FALSE(store.find(session.id, 35 * hour + 2).has_value()); // forgotten, not revived
}

TEST_CASE("logout ends the session") {
  SessionStore store;
  auto session = store.create(Role::admin, 0);
  store.end(session.id);
  CHECK_FALSE(store.find(session.id, 1).has_value());
}

TEST_CASE("five failed logins a minute per client, then refused until the minute has passed") {
  LoginThrottle throttle;
  for (int i = 0; i < 5; ++i) {
    CHECK(throttle.allowed("192.0.2.1", 1000 + i));
    throttle.failed("192.0.2.1", 1000 + i);
  }
  CHECK_FALSE(throttle.allowed("192.0.2.1", 2000));
  CHECK(throttle.allowed("192.0.2.2", 2000)); // another client is not held back
  CHECK_FALSE(throttle.allowed("192.0.2.1", 60'999));
  CHECK(throttle.allowed("192.0.2.1", 61'001));
}

TEST_CASE("same_secret compares whole values") {
  CHECK(same_secret("abc", "abc"));
  CHECK_FALSE(same_secret("abc", "abd"));
  CHECK_FALSE(same_secret("abc", "ab"));
  CHECK_FALSE(same_secret("", "a"));
}

TEST_SUITE_END();
