// SPDX-License-Identifier: MIT
#include "handlers/delivery_store.hpp"

#include "events/database.hpp"
#include "handlers/launcher.hpp"
#include "handlers/run_log.hpp"
#include "manage/dead_letters.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

using eventmgr::RetryOn;
using eventmgr::handlers::classify;
using eventmgr::handlers::DeliveryState;
using eventmgr::handlers::DeliveryStore;
using eventmgr::handlers::Failure;
using eventmgr::handlers::is_retried;
using eventmgr::handlers::RunOutcome;
using eventmgr::handlers::RunStatus;
using eventmgr::testing::TempDir;

namespace {

RunOutcome outcome(RunStatus status, int exit_code = 0) {
  RunOutcome out;
  out.status = status;
  out.exit_code = exit_code;
  return out;
}

struct Fixture {
  TempDir dir;
  eventmgr::sqlite::Database db = open();
  DeliveryStore store{db};

  eventmgr::sqlite::Database open() {
    auto opened = eventmgr::events::open_database(dir.file("eventmgr.db"), eventmgr::events::OpenFor::daemon);
    REQUIRE_MESSAGE(opened.ok(), opened.error().message);
    return std::move(opened).value();
  }

  std::int64_t add_event(const std::string& name) {
    auto insert = db.prepare("INSERT INTO events (seq, event, payload, via, received_at) VALUES "
                             "((SELECT coalesce(max(seq), 0) + 1 FROM events), ?1, '{}', 'cli', 1)");
    insert.bind(1, name).run();
    return db.last_insert_id();
  }
};

} // namespace

TEST_SUITE_BEGIN("handlers::DeliveryStore");

TEST_CASE("the exit-code contract: 0 ok; 75, time-out, signal, not started temporary; others failures") {
  CHECK(classify(outcome(RunStatus::ok)) == Failure::none);
  CHECK(classify(outcome(RunStatus::exit, 75)) == Failure::temporary);
  CHECK(classify(outcome(RunStatus::timeout)) == Failure::temporary);
  CHECK(classify(outcome(RunStatus::signal)) == Failure::temporary);
  CHECK(classify(outcome(RunStatus::not_started)) == Failure::temporary);
  CHECK(classify(outcome(RunStatus::exit, 1)) == Failure::permanent);
  CHECK(classify(outcome(RunStatus::exit, 74)) == Failure::permanent);
  CHECK(is_retried(outcome(RunStatus::exit, 75), RetryOn::tempfail));
  CHECK_FALSE(is_retried(outcome(RunStatus::exit, 1), RetryOn::tempfail));
  CHECK(is_retried(outcome(RunStatus::exit, 1), RetryOn::failure));
  CHECK_FALSE(is_retried(outcome(RunStatus::ok), RetryOn::failure));
}

TEST_CASE_FIXTURE(Fixture, "a delivery waits, dies, is retried under its id and settles") {
  const std::int64_t seq = add_event("client_create");
  store.record_failure(seq, 7, DeliveryState::waiting, 1, 5000, 1000, 1);
  auto waiting = store.list(DeliveryState::waiting);
  REQUIRE(waiting.size() == 1);
  CHECK(waiting[0].due_at == 5000);
  CHECK(waiting[0].event == "client_create");
  CHECK(store.counts().waiting == 1);

  store.record_failure(seq, 7, DeliveryState::dead, 2, std::nullopt, 6000, 2);
  auto dead = store.list(DeliveryState::dead);
  REQUIRE(dead.size() == 1);
  const std::int64_t id = dead[0].id;
  CHECK(dead[0].tries == 2);
  CHECK(dead[0].first_failed_at == 1000);
  CHECK(dead[0].last_failed_at == 6000);
  CHECK_FALSE(dead[0].due_at);
  CHECK(store.counts().dead == 1);
  CHECK(store.counts().oldest_dead == 6000);

  auto retried = eventmgr::manage::retry_dead(db, {});
  REQUIRE(retried.changed.size() == 1);
  CHECK(store.list(DeliveryState::dead).empty());
  CHECK(db.prepare("SELECT count(*) FROM replays WHERE event_seq = " + std::to_string(seq) +
                   " AND handler_id = 7")
            .step());
  // Failing again: dead again, with the same id.
  store.record_failure(seq, 7, DeliveryState::dead, 1, std::nullopt, 9000, 3);
  REQUIRE(store.list(DeliveryState::dead).size() == 1);
  CHECK(store.list(DeliveryState::dead)[0].id == id);

  auto dropped = eventmgr::manage::drop_dead(db, {{id, 999}, std::nullopt, std::nullopt});
  CHECK(dropped.changed.size() == 1);
  CHECK(dropped.unknown == std::vector<std::int64_t>{999});
  CHECK(store.counts().dead == 0);

  store.settle(seq, 7);
  CHECK(store.list(DeliveryState::dropped).empty());
}

TEST_SUITE_END();
