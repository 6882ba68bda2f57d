// SPDX-License-Identifier: MIT
#include "handlers/run_log.hpp"

#include "events/database.hpp"
#include "handlers/launcher.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using eventmgr::handlers::InterruptedRun;
using eventmgr::handlers::RunEnd;
using eventmgr::handlers::RunFilter;
using eventmgr::handlers::RunLog;
using eventmgr::handlers::RunRow;
using eventmgr::handlers::RunState;
using eventmgr::testing::TempDir;

namespace {

std::vector<std::int64_t> ids_of(const std::vector<RunRow>& rows) {
  std::vector<std::int64_t> ids;
  for (const RunRow& row : rows) {
    ids.push_back(row.id);
  }
  return ids;
}

RunEnd ended(RunState state, int exit_code = 0) {
  RunEnd end;
  end.state = state;
  if (state == RunState::ok || state == RunState::exit) {
    end.exit_code = exit_code;
  }
  end.finished_at = 2000;
  return end;
}

struct Fixture {
  TempDir dir;
  eventmgr::sqlite::Database db = open();
  RunLog log{db};

  eventmgr::sqlite::Database open() {
    auto opened = eventmgr::events::open_database(dir.file("eventmgr.db"), eventmgr::events::OpenFor::daemon);
    REQUIRE_MESSAGE(opened.ok(), opened.error().message);
    return std::move(opened).value();
  }

  // Journals an event row directly: the run log needs only its seq and name.
  std::int64_t add_event(const std::string& name) {
    auto insert = db.prepare("INSERT INTO events (event, payload, via, received_at) VALUES (?1, '{}', 'cli', 1)");
    insert.bind(1, name).run();
    return db.last_insert_id();
  }
};

} // namespace

TEST_SUITE_BEGIN("handlers::RunLog");

TEST_CASE_FIXTURE(Fixture, "a run is recorded when it starts and completed when it ends") {
  const std::int64_t seq = add_event("client_create");
  const std::int64_t id = log.start_run(seq, 3, 1, "nobody", R"(["/bin/echo","jdoe","***"])");

  auto running = log.get(id);
  REQUIRE(running);
  CHECK(running->state == RunState::running);
  CHECK(running->event == "client_create");
  CHECK(running->event_seq == seq);
  CHECK(running->handler_id == 3);
  CHECK(running->attempt == 1);
  CHECK(running->user == "nobody");
  CHECK(running->argv == std::vector<std::string>{"/bin/echo", "jdoe", "***"});
  CHECK(running->started_at > 0);
  CHECK_FALSE(running->finished_at);

  RunEnd end = ended(RunState::exit, 3);
  end.out = std::string("half\0way", 8);
  end.out_truncated = true;
  end.err = "oops\n";
  log.finish_run(id, end);

  auto finished = log.get(id);
  REQUIRE(finished);
  CHECK(finished->state == RunState::exit);
  CHECK(finished->exit_code == 3);
  CHECK_FALSE(finished->signal);
  CHECK_FALSE(finished->timed_out);
  CHECK(finished->finished_at == 2000);
  CHECK(finished->out == std::string("half\0way", 8));
  CHECK(finished->out_truncated);
  CHECK(finished->err == "oops\n");
  CHECK_FALSE(finished->err_truncated);
  CHECK(finished->start_error.empty());
  CHECK_FALSE(log.get(id + 1));
}

TEST_CASE_FIXTURE(Fixture, "a launcher outcome is recorded with its status") {
  const std::int64_t seq = add_event("client_create");
  eventmgr::handlers::RunOutcome outcome;

  SUBCASE("time-out") {
    outcome.status = eventmgr::handlers::RunStatus::timeout;
    outcome.timed_out = true;
    outcome.signal = 15;
    outcome.finished_ms = 4242;
    const std::int64_t id = log.start_run(seq, 1, 1, "nobody", "[]");
    log.finish_run(id, outcome);
    auto row = log.get(id);
    REQUIRE(row);
    CHECK(row->state == RunState::timeout);
    CHECK(row->timed_out);
    CHECK(row->signal == 15);
    CHECK_FALSE(row->exit_code);
    CHECK(row->finished_at == 4242);
  }
  SUBCASE("not started") {
    outcome.status = eventmgr::handlers::RunStatus::not_started;
    outcome.start_error = "cannot execute /x: No such file or directory";
    const std::int64_t id = log.start_run(seq, 1, 1, "nobody", "[]");
    log.finish_run(id, outcome);
    auto row = log.get(id);
    REQUIRE(row);
    CHECK(row->state == RunState::not_started);
    CHECK(row->start_error == "cannot execute /x: No such file or directory");
    CHECK(row->finished_at > 0);
  }
}

TEST_CASE_FIXTURE(Fixture, "runs a crash interrupted are marked and run again as a new attempt") {
  const std::int64_t seq = add_event("domain_create");
  const std::int64_t finished = log.start_run(seq, 10, 1, "nobody", "[]");
  log.finish_run(finished, ended(RunState::exit, 1));
  const std::int64_t cut_short = log.start_run(seq, 20, 1, "nobody", "[]");
  const std::int64_t other_seq = add_event("domain_create");
  log.start_run(other_seq, 10, 1, "nobody", "[]");

  CHECK(log.completed_handlers(seq) == std::set<std::int64_t>{10});
  auto interrupted = log.mark_interrupted_running();
  CHECK(interrupted == std::vector<InterruptedRun>{{seq, 20}, {other_seq, 10}});
  CHECK(log.get(cut_short)->state == RunState::interrupted);
  CHECK(log.get(cut_short)->finished_at);
  CHECK(log.mark_interrupted_running().empty());

  CHECK(log.completed_handlers(seq) == std::set<std::int64_t>{10});
  CHECK(log.next_attempt(seq, 20) == 2);
  CHECK(log.next_attempt(seq, 30) == 1);
  const std::int64_t retry = log.start_run(seq, 20, 2, "nobody", "[]");
  CHECK(log.completed_handlers(seq) == std::set<std::int64_t>{10});
  log.finish_run(retry, ended(RunState::ok));
  CHECK(log.completed_handlers(seq) == std::set<std::int64_t>{10, 20});
}

TEST_CASE_FIXTURE(Fixture, "a run written once finished is one complete row") {
  const std::int64_t seq = add_event("client_create");
  eventmgr::handlers::RunStart start{seq, 4, 1, "nobody", R"(["/bin/true","jdoe"])", 1500};
  eventmgr::handlers::RunOutcome outcome;
  outcome.status = eventmgr::handlers::RunStatus::signal;
  outcome.signal = 9;
  outcome.err = "bye";
  outcome.finished_ms = 1600;
  const std::int64_t id = log.record_run(start, eventmgr::handlers::to_run_end(outcome));
  auto row = log.get(id);
  REQUIRE(row);
  CHECK(row->state == RunState::signal);
  CHECK(row->signal == 9);
  CHECK(row->err == "bye");
  CHECK(row->started_at == 1500);
  CHECK(row->finished_at == 1600);
  CHECK(row->argv == std::vector<std::string>{"/bin/true", "jdoe"});
  CHECK(log.completed_handlers(seq) == std::set<std::int64_t>{4});
}

TEST_CASE_FIXTURE(Fixture, "a run the ledger held is recorded interrupted once, and only for a journaled event") {
  const std::int64_t seq = add_event("client_create");
  eventmgr::handlers::RunStart start{seq, 4, 2, "nobody", R"(["/bin/true"])", 1500};
  CHECK(log.record_interrupted(start, 1700));
  CHECK_FALSE(log.record_interrupted(start, 1800)); // that attempt has its row now
  auto rows = log.list(RunFilter{});
  REQUIRE(rows.size() == 1);
  CHECK(rows.front().state == RunState::interrupted);
  CHECK(rows.front().attempt == 2);
  CHECK(rows.front().finished_at == 1700);
  CHECK(log.next_attempt(seq, 4) == 3);
  CHECK(log.completed_handlers(seq).empty());

  start.event_seq = seq + 100; // pruned, or never journaled
  CHECK_FALSE(log.record_interrupted(start, 1700));
}

TEST_CASE_FIXTURE(Fixture, "the log lists runs newest first, narrowed by each filter") {
  const std::int64_t client = add_event("client_create");
  const std::int64_t domain = add_event("domain_create");
  const std::int64_t r1 = log.start_run(client, 1, 1, "nobody", "[]");
  log.finish_run(r1, ended(RunState::ok));
  const std::int64_t r2 = log.start_run(client, 2, 1, "nobody", "[]");
  log.finish_run(r2, ended(RunState::exit, 2));
  const std::int64_t r3 = log.start_run(domain, 1, 1, "nobody", "[]");
  log.finish_run(r3, ended(RunState::signal));
  const std::int64_t r4 = log.start_run(domain, 2, 1, "nobody", "[]");
  log.finish_run(r4, ended(RunState::interrupted));
  db.exec("UPDATE runs SET started_at = 1000 WHERE id = " + std::to_string(r1));

  RunFilter filter;
  CHECK(ids_of(log.list(filter)) == std::vector<std::int64_t>{r4, r3, r2, r1});
  CHECK(log.list(filter)[0].out.empty());

  SUBCASE("event name") {
    filter.event = "client_create";
    CHECK(ids_of(log.list(filter)) == std::vector<std::int64_t>{r2, r1});
  }
  SUBCASE("handler") {
    filter.handler_id = 1;
    CHECK(ids_of(log.list(filter)) == std::vector<std::int64_t>{r3, r1});
  }
  SUBCASE("event id") {
    filter.event_seq = domain;
    CHECK(ids_of(log.list(filter)) == std::vector<std::int64_t>{r4, r3});
  }
  SUBCASE("failed only: interrupted is not a handler's failure") {
    filter.failed_only = true;
    CHECK(ids_of(log.list(filter)) == std::vector<std::int64_t>{r3, r2});
  }
  SUBCASE("since") {
    filter.since = 1001;
    CHECK(ids_of(log.list(filter)) == std::vector<std::int64_t>{r4, r3, r2});
  }
  SUBCASE("after an id, for --follow") {
    filter.after_id = r2;
    CHECK(ids_of(log.list(filter)) == std::vector<std::int64_t>{r4, r3});
  }
  SUBCASE("limit") {
    filter.limit = 1;
    CHECK(ids_of(log.list(filter)) == std::vector<std::int64_t>{r4});
  }
}

TEST_CASE_FIXTURE(Fixture, "status counts ok and failed runs since a time") {
  const std::int64_t seq = add_event("client_create");
  const std::int64_t old_ok = log.start_run(seq, 1, 1, "nobody", "[]");
  log.finish_run(old_ok, ended(RunState::ok));
  db.exec("UPDATE runs SET started_at = 10 WHERE id = " + std::to_string(old_ok));
  log.finish_run(log.start_run(seq, 2, 1, "nobody", "[]"), ended(RunState::ok));
  log.finish_run(log.start_run(seq, 3, 1, "nobody", "[]"), ended(RunState::timeout));
  log.finish_run(log.start_run(seq, 4, 1, "nobody", "[]"), ended(RunState::not_started));
  log.start_run(seq, 5, 1, "nobody", "[]");

  auto counts = log.ok_failed_since(100);
  CHECK(counts.ok == 1);
  CHECK(counts.failed == 2);
  CHECK(log.ok_failed_since(0).ok == 2);
}

TEST_CASE("a run's result reads the same in the daemon log and in eventmgr log") {
  namespace handlers = eventmgr::handlers;
  CHECK(handlers::describe_result(RunState::ok, 0, std::nullopt, "") == "ok");
  CHECK(handlers::describe_result(RunState::exit, 7, std::nullopt, "") == "exit 7");
  CHECK(handlers::describe_result(RunState::signal, std::nullopt, 9, "") == "signal SIGKILL");
  CHECK(handlers::describe_result(RunState::timeout, std::nullopt, 15, "") == "timeout");
  CHECK(handlers::describe_result(RunState::not_started, std::nullopt, std::nullopt,
                                  "cannot execute /x: No such file or directory") ==
        "not started: cannot execute /x: No such file or directory");
  CHECK(handlers::describe_result(RunState::interrupted, std::nullopt, std::nullopt, "") == "interrupted");

  handlers::RunOutcome outcome;
  outcome.status = handlers::RunStatus::signal;
  outcome.signal = 11;
  CHECK(handlers::describe_result(outcome) == "signal SIGSEGV");
  CHECK(handlers::signal_name(99) == "SIG99");
}

TEST_SUITE_END();
