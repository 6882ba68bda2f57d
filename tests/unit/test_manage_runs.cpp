// SPDX-License-Identifier: MIT
#include "manage/runs.hpp"

#include "events/database.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <vector>

using eventmgr::handlers::RunEnd;
using eventmgr::handlers::RunFilter;
using eventmgr::handlers::RunLog;
using eventmgr::handlers::RunRow;
using eventmgr::handlers::RunStart;
using eventmgr::handlers::RunState;

namespace {

struct Fixture {
  eventmgr::testing::TempDir dir;
  eventmgr::sqlite::Database db = open();
  RunLog log{db};

  eventmgr::sqlite::Database open() {
    auto opened = eventmgr::events::open_database(dir.file("eventmgr.db"), eventmgr::events::OpenFor::daemon);
    REQUIRE_MESSAGE(opened.ok(), opened.error().message);
    return std::move(opened).value();
  }

  std::int64_t add_event(const std::string& name) {
    auto insert =
        db.prepare("INSERT INTO events (event, payload, via, received_at) VALUES (?1, '{}', 'cli', 1)");
    insert.bind(1, name).run();
    return db.last_insert_id();
  }

  std::int64_t add_run(std::int64_t seq, std::int64_t handler, RunState state, std::int64_t started_at,
                       int exit_code = 0) {
    RunStart start;
    start.event_seq = seq;
    start.handler_id = handler;
    start.user = "nobody";
    start.argv_json = "[]";
    start.started_at = started_at;
    RunEnd end;
    end.state = state;
    if (state == RunState::exit || state == RunState::ok) {
      end.exit_code = exit_code;
    }
    end.finished_at = started_at + 1;
    return log.record_run(start, end);
  }
};

std::vector<std::int64_t> ids_of(const std::vector<RunRow>& rows) {
  std::vector<std::int64_t> ids;
  for (const auto& row : rows) {
    ids.push_back(row.id);
  }
  return ids;
}

} // namespace

TEST_SUITE_BEGIN("manage::runs");

TEST_CASE_FIXTURE(Fixture,
                  "pages follow each other by run id (keyset), newest first, without gaps or repeats") {
  std::int64_t seq = add_event("client_create");
  for (int i = 0; i < 7; ++i) {
    add_run(seq, 1, RunState::ok, 1000 + i);
  }
  RunFilter filter;
  filter.limit = 3;
  auto first = eventmgr::manage::run_page(log, filter);
  CHECK(ids_of(first.rows) == std::vector<std::int64_t>{7, 6, 5});
  REQUIRE(first.older_before_id == 5);
  filter.before_id = first.older_before_id;
  auto second = eventmgr::manage::run_page(log, filter);
  CHECK(ids_of(second.rows) == std::vector<std::int64_t>{4, 3, 2});
  filter.before_id = second.older_before_id;
  auto last = eventmgr::manage::run_page(log, filter);
  CHECK(ids_of(last.rows) == std::vector<std::int64_t>{1});
  CHECK_FALSE(last.older_before_id.has_value());
}

TEST_CASE_FIXTURE(Fixture, "a page of exactly the limit says there is nothing older") {
  std::int64_t seq = add_event("client_create");
  add_run(seq, 1, RunState::ok, 1000);
  add_run(seq, 1, RunState::ok, 1001);
  RunFilter filter;
  filter.limit = 2;
  auto page = eventmgr::manage::run_page(log, filter);
  CHECK(page.rows.size() == 2);
  CHECK_FALSE(page.older_before_id.has_value());
}

TEST_CASE_FIXTURE(Fixture, "runs per hour count ok and failed runs of the last 24 hours") {
  constexpr std::int64_t hour = 3'600'000;
  std::int64_t now = 100 * hour + 1234;
  std::int64_t seq = add_event("client_create");
  add_run(seq, 1, RunState::ok, now - 10);          // this hour
  add_run(seq, 1, RunState::exit, now - 20, 3);     // this hour, failed
  add_run(seq, 1, RunState::ok, now - 23 * hour);   // the oldest hour shown
  add_run(seq, 1, RunState::ok, now - 25 * hour);   // too old
  add_run(seq, 1, RunState::interrupted, now - 30); // neither ok nor a handler's failure
  auto hours = eventmgr::manage::runs_per_hour(db, now);
  CHECK(hours.back().ok == 1);
  CHECK(hours.back().failed == 1);
  CHECK(hours.back().hour_start == 100 * hour);
  CHECK(hours.front().ok == 1);
  std::int64_t total = 0;
  for (const auto& h : hours) {
    total += h.ok + h.failed;
  }
  CHECK(total == 3);
}

TEST_CASE_FIXTURE(Fixture, "each handler's last result is its newest run") {
  std::int64_t seq = add_event("client_create");
  add_run(seq, 1, RunState::exit, 1000, 3);
  std::int64_t newest = add_run(seq, 1, RunState::ok, 1001);
  add_run(seq, 2, RunState::exit, 1002, 7);
  auto results = eventmgr::manage::last_results(db);
  REQUIRE(results.size() == 2);
  CHECK(results[1].run_id == newest);
  CHECK(results[1].text == "ok");
  CHECK(results[2].text == "exit 7");
  CHECK(results[2].state == RunState::exit);
}

TEST_SUITE_END();
