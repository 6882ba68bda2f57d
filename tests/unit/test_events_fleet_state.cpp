// SPDX-License-Identifier: MIT
#include "events/fleet_state.hpp"

#include "events/database.hpp"
#include "events/journal.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <string>

using eventmgr::events::Event;
using eventmgr::events::FleetState;
using eventmgr::events::Journal;
using eventmgr::testing::TempDir;

namespace {

Event forwarded(const std::string& host, int seq) {
  Event event;
  event.name = "client_create";
  event.submit_id = host + ":" + std::to_string(seq);
  event.source = host;
  event.new_values = {{"login_name", "u" + std::to_string(seq)}};
  return event;
}

Event local(const std::string& id) {
  Event event;
  event.name = "client_create";
  event.submit_id = id;
  event.new_values = {{"login_name", id}};
  return event;
}

struct Fixture {
  TempDir dir;
  eventmgr::sqlite::Database db = [this] {
    auto opened = eventmgr::events::open_database(dir.file("eventmgr.db"), eventmgr::events::OpenFor::daemon);
    REQUIRE_MESSAGE(opened.ok(), opened.error().message);
    return std::move(opened).value();
  }();
  Journal journal{db};
  FleetState fleet{db};
};

} // namespace

TEST_SUITE_BEGIN("events::FleetState");

TEST_CASE_FIXTURE(Fixture, "a new journal's cursor is 0 and everything journaled is the lag") {
  CHECK(fleet.forward().cursor == 0);
  CHECK(fleet.forward().state == "starting");
  Event events[] = {local("a"), local("b"), local("c")};
  journal.append(events, "pipe");
  auto lag = fleet.lag(0);
  CHECK(lag.events == 3);
  REQUIRE(lag.oldest_received_at.has_value());
  CHECK(fleet.lag(2).events == 1);
  CHECK(fleet.lag(3).events == 0);
  CHECK_FALSE(fleet.lag(3).oldest_received_at.has_value());
}

TEST_CASE_FIXTURE(Fixture, "events that came from NATS are not forwarded again") {
  Event from_nats[] = {forwarded("web1", 1)};
  journal.append(from_nats, eventmgr::events::k_via_nats);
  Event from_pipe[] = {local("a")};
  journal.append(from_pipe, "pipe");
  CHECK(fleet.lag(0).events == 1);
}

TEST_CASE_FIXTURE(Fixture, "the cursor never moves back and the state keeps its last error") {
  fleet.save_cursor(10, 1000);
  fleet.save_cursor(7, 2000);
  CHECK(fleet.forward().cursor == 10);
  fleet.save_state("disconnected", "not connected to NATS nats://x:1 (retrying)", 3000);
  fleet.save_state("connected", "", 4000);
  auto state = fleet.forward();
  CHECK(state.state == "connected");
  REQUIRE(state.last_error.has_value());
  CHECK(*state.last_error == "not connected to NATS nats://x:1 (retrying)");
  CHECK(state.last_error_at == 3000);
}

TEST_CASE_FIXTURE(Fixture, "per source host: events received once each, and the newest") {
  Event first[] = {forwarded("web1", 1), forwarded("web2", 1), forwarded("web1", 2)};
  journal.append(first, eventmgr::events::k_via_nats);
  SUBCASE("a redelivery is a duplicate and is not counted") {
    Event again[] = {forwarded("web1", 2), forwarded("web1", 3)};
    journal.append(again, eventmgr::events::k_via_nats);
    auto sources = fleet.sources();
    REQUIRE(sources.size() == 2);
    CHECK(sources[0].host == "web1");
    CHECK(sources[0].received == 3);
    CHECK(sources[0].newest_id == "web1:3");
    CHECK(sources[1].host == "web2");
    CHECK(sources[1].received == 1);
  }
  SUBCASE("events from the pipe are no source host") {
    Event events[] = {local("x")};
    journal.append(events, "pipe");
    CHECK(fleet.sources().size() == 2);
  }
}

TEST_SUITE_END();
