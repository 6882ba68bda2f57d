// SPDX-License-Identifier: MIT
#include "manage/skips.hpp"

#include "events/database.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <string>

using eventmgr::manage::list_skips;
using eventmgr::manage::parse_skipped;
using eventmgr::manage::SkipFilter;
using eventmgr::manage::skips_between;

namespace {

struct Fixture {
  eventmgr::testing::TempDir dir;
  eventmgr::sqlite::Database db = open();

  eventmgr::sqlite::Database open() {
    auto opened = eventmgr::events::open_database(dir.file("eventmgr.db"), eventmgr::events::OpenFor::daemon);
    REQUIRE_MESSAGE(opened.ok(), opened.error().message);
    return std::move(opened).value();
  }

  std::int64_t add_event(const std::string& name, std::int64_t received_at, const char* skipped) {
    auto insert = db.prepare("INSERT INTO events (event, payload, via, received_at, submit_id, skipped) "
                             "VALUES (?1, '{}', 'cli', ?2, ?3, ?4)");
    insert.bind(1, name).bind(2, received_at).bind(3, "r" + std::to_string(received_at));
    if (skipped == nullptr) {
      insert.bind_null(4);
    } else {
      insert.bind(4, skipped);
    }
    insert.run();
    return db.last_insert_id();
  }
};

} // namespace

TEST_CASE("parse_skipped reads the dispatcher's array and ignores anything else") {
  auto skips = parse_skipped(R"j([{"handler":3,"if":"new.a == \"1\""},{"handler":7,"if":"changed(b)"}])j");
  REQUIRE(skips.size() == 2);
  CHECK(skips[0].handler_id == 3);
  CHECK(skips[0].condition == "new.a == \"1\"");
  CHECK(skips[1].handler_id == 7);
  CHECK(skips[1].condition == "changed(b)");
  CHECK(parse_skipped("").empty());
  CHECK(parse_skipped("not json").empty());
  CHECK(parse_skipped(R"j({"handler":1,"if":"x"})j").empty());
  CHECK(parse_skipped(R"j([{"handler":"1","if":"x"},{"if":"y"},7])j").empty());
}

TEST_CASE("list_skips: events with skips, newest first, filtered by event, handler, since, limit") {
  Fixture f;
  auto first = f.add_event("client_create", 100, R"j([{"handler":1,"if":"a"},{"handler":2,"if":"b"}])j");
  f.add_event("client_create", 200, nullptr);
  auto third = f.add_event("domain_create", 300, R"j([{"handler":2,"if":"c"}])j");
  auto fourth = f.add_event("client_create", 400, R"j([{"handler":12,"if":"d"}])j");

  auto all = list_skips(f.db, SkipFilter{});
  REQUIRE(all.size() == 3);
  CHECK(all[0].event_seq == fourth);
  CHECK(all[1].event_seq == third);
  CHECK(all[2].event_seq == first);
  CHECK(all[2].submit_id == "r100");
  CHECK(all[2].skipped.size() == 2);

  SkipFilter by_event;
  by_event.event = "client_create";
  CHECK(list_skips(f.db, by_event).size() == 2);

  SkipFilter by_handler;
  by_handler.handler_id = 2;
  auto of_two = list_skips(f.db, by_handler);
  REQUIRE(of_two.size() == 2); // not handler 12
  CHECK(of_two[0].event_seq == third);
  REQUIRE(of_two[1].skipped.size() == 1); // handler 1's skip of the same event is left out
  CHECK(of_two[1].skipped[0].condition == "b");

  SkipFilter since;
  since.since = 300;
  CHECK(list_skips(f.db, since).size() == 2);

  SkipFilter limited;
  limited.limit = 1;
  auto newest = list_skips(f.db, limited);
  REQUIRE(newest.size() == 1);
  CHECK(newest[0].event_seq == fourth);

  auto between = skips_between(f.db, first + 1, third);
  REQUIRE(between.size() == 1);
  CHECK(between.begin()->first == third);
}
