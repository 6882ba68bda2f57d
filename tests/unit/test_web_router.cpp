// SPDX-License-Identifier: MIT
#include "web/router.hpp"

#include <doctest/doctest.h>

#include <string>

using eventmgr::web::Access;
using Router = eventmgr::web::Router<std::string>;

TEST_SUITE_BEGIN("web::Router");

namespace {

Router make_router() {
  Router router;
  router.add("GET", "/runs", Access::viewer, "runs");
  router.add("GET", "/runs/rows", Access::viewer, "rows");
  router.add("GET", "/runs/{id}", Access::viewer, "run");
  router.add("POST", "/runs/{id}/replay", Access::admin, "replay");
  router.add("GET", "/handlers/new", Access::viewer, "new");
  router.add("GET", "/handlers/{id}", Access::viewer, "edit");
  return router;
}

} // namespace

TEST_CASE("a path picks its route and its ids") {
  Router router = make_router();
  auto run = router.match("GET", "/runs/42");
  REQUIRE(run.route != nullptr);
  CHECK(run.route->handler == "run");
  CHECK(run.ids == std::vector<std::int64_t>{42});
  CHECK(router.match("GET", "/runs/rows").route->handler == "rows");
  CHECK(router.match("GET", "/handlers/new").route->handler == "new");
  auto replay = router.match("POST", "/runs/7/replay");
  REQUIRE(replay.route != nullptr);
  CHECK(replay.route->access == Access::admin);
  CHECK(replay.ids == std::vector<std::int64_t>{7});
}

TEST_CASE("an id is a positive decimal number without a leading zero") {
  Router router = make_router();
  for (const char* path :
       {"/runs/0", "/runs/007", "/runs/-1", "/runs/1x", "/runs/9999999999999999999", "/runs/"}) {
    CAPTURE(path);
    CHECK(router.match("GET", path).route == nullptr);
  }
}

TEST_CASE("unknown paths are 404 and known paths with another method 405") {
  Router router = make_router();
  auto missing = router.match("GET", "/nothing");
  CHECK(missing.route == nullptr);
  CHECK_FALSE(missing.wrong_method);
  auto wrong = router.match("GET", "/runs/7/replay");
  CHECK(wrong.route == nullptr);
  CHECK(wrong.wrong_method);
  CHECK(router.match("GET", "/runs/7/replay/x").route == nullptr);
  CHECK(router.match("GET", "/runs/").route == nullptr);
  CHECK(router.match("GET", "//runs").route == nullptr);
}

TEST_SUITE_END();
