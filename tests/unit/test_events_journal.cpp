// SPDX-License-Identifier: MIT
#include "events/journal.hpp"

#include "common/clock.hpp"
#include "events/database.hpp"
#include "events/event_json.hpp"
#include "events/record.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using eventmgr::events::Event;
using eventmgr::events::EventState;
using eventmgr::events::Journal;
using eventmgr::testing::TempDir;

namespace {

Event make_event(const std::string& name, const std::string& submit_id, const std::string& login) {
  Event event;
  event.name = name;
  event.submit_id = submit_id;
  event.source = "panel";
  event.old_values = {{"login_name", ""}};
  event.new_values = {{"login_name", login}};
  return event;
}

eventmgr::sqlite::Database open_journal_db(const TempDir& dir) {
  auto opened = eventmgr::events::open_database(dir.file("eventmgr.db"), eventmgr::events::OpenFor::daemon);
  REQUIRE_MESSAGE(opened.ok(), opened.error().message);
  return std::move(opened).value();
}

// Registers an enabled handler for `event` through `db`, as the CLI does on its own connection.
void add_handler(eventmgr::sqlite::Database& db, const std::string& event, bool enabled = true) {
  auto insert = db.prepare("INSERT INTO handlers (event, user, command, enabled, created_at, updated_at)"
                           " VALUES (?1, 'nobody', '/bin/true', ?2, 1, 1)");
  insert.bind(1, event).bind(2, enabled ? 1 : 0).run();
}

// Events of client_create and client_update have a handler (they wait for the dispatcher);
// other events have none.
struct Fixture {
  TempDir dir;
  eventmgr::sqlite::Database db = open_journal_db(dir);
  Journal journal{db};

  Fixture() {
    auto cli = open_journal_db(dir);
    add_handler(cli, "client_create");
    add_handler(cli, "client_update");
  }
};

} // namespace

TEST_SUITE_BEGIN("events::Journal");

TEST_CASE_FIXTURE(Fixture, "a batch is journaled in order and duplicates by id are counted") {
  const std::vector<Event> events = {make_event("client_create", "a", "jdoe"),
                                     make_event("client_create", "", "anon"),
                                     make_event("client_update", "a", "again")};
  auto results = journal.append(events, "pipe");
  REQUIRE(results.size() == 3);
  CHECK_FALSE(results[0].duplicate);
  CHECK_FALSE(results[1].duplicate);
  CHECK(results[1].seq > results[0].seq);
  CHECK(results[2].duplicate);
  CHECK(results[2].seq == results[0].seq);

  auto later = journal.append(std::vector<Event>{make_event("client_delete", "a", "x")}, "pickup");
  REQUIRE(later.size() == 1);
  CHECK(later[0].duplicate);
  CHECK(later[0].seq == results[0].seq);

  auto counters = journal.counters();
  CHECK(counters.accepted == 2);
  CHECK(counters.duplicate == 2);
  CHECK(counters.rejected == 0);

  auto entry = journal.get(results[0].seq);
  REQUIRE(entry);
  CHECK(entry->event == "client_create");
  CHECK(entry->payload == eventmgr::events::to_journal_json(events[0]));
  CHECK(entry->via == "pipe");
  CHECK(entry->source == "panel");
  CHECK(entry->state == EventState::pending);
  CHECK(entry->received_at > 0);
  CHECK_FALSE(journal.get(results[1].seq + 100));
}

TEST_CASE_FIXTURE(Fixture, "rejected records are stored with their reason, raw text cut at 64 KiB") {
  Journal::Batch batch(journal);
  batch.add(make_event("client_create", "ok-1", "jdoe"), "pipe");
  batch.reject("{not json", "malformed JSON at offset 1", "pipe", "");
  const std::string huge(70000, 'x');
  batch.reject(huge, "record longer than 4096 bytes", "pickup", "panel");
  CHECK(batch.size() == 3);
  auto results = batch.commit();
  CHECK(batch.empty());
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].duplicate);
  journal.reject("garbage", "unknown event \"nope\"", "cli", "me");

  CHECK(journal.counters().rejected == 3);
  CHECK(journal.counters().accepted == 1);

  auto listed = journal.list_rejected(0, 10);
  REQUIRE(listed.size() == 3);
  CHECK(listed[0].reason == "unknown event \"nope\"");
  CHECK(listed[0].via == "cli");
  CHECK(listed[0].source == "me");
  CHECK(listed[1].reason == "record longer than 4096 bytes");
  CHECK(listed[1].raw == std::string(256, 'x'));
  CHECK(listed[2].raw == "{not json");
  CHECK(journal.list_rejected(0, 1).size() == 1);
  CHECK(journal.list_rejected(eventmgr::now_ms() + 60000, 10).empty());

  auto full = journal.get_rejected(listed[1].id);
  REQUIRE(full);
  CHECK(full->raw.size() == eventmgr::events::k_max_rejected_raw);
  CHECK(full->raw == huge.substr(0, 64 * 1024));
  CHECK_FALSE(full->resubmitted_at);

  CHECK(journal.mark_resubmitted(listed[1].id, 12345));
  CHECK(journal.get_rejected(listed[1].id)->resubmitted_at == 12345);
  CHECK_FALSE(journal.mark_resubmitted(listed[0].id + 100, 1));
  CHECK_FALSE(journal.get_rejected(listed[0].id + 100));
}

TEST_CASE_FIXTURE(Fixture, "unfinished events stop at the first whose payload reaches the byte budget") {
  std::vector<Event> events;
  for (int i = 0; i < 4; ++i) {
    events.push_back(make_event("client_create", "id-" + std::to_string(i), std::string(1000, 'a' + i)));
  }
  auto results = journal.append(events, "pipe");
  REQUIRE(results.size() == 4);
  std::size_t one = journal.unfinished(0, 1).at(0).payload.size();
  REQUIRE(one > 1000);

  CHECK(journal.unfinished(0, 100, 2 * one).size() == 2);
  CHECK(journal.unfinished(0, 100, 2 * one + 1).size() == 3);
  SUBCASE("at least one event, however small the budget") {
    auto first = journal.unfinished(0, 100, 1);
    REQUIRE(first.size() == 1);
    CHECK(first[0].seq == results[0].seq);
  }
  SUBCASE("the event limit still applies") {
    CHECK(journal.unfinished(0, 2, 100 * one).size() == 2);
  }
}

TEST_CASE_FIXTURE(Fixture, "unfinished events come back by seq until marked done") {
  std::vector<Event> events;
  for (int i = 0; i < 5; ++i) {
    events.push_back(make_event("client_create", "id-" + std::to_string(i), "user" + std::to_string(i)));
  }
  auto results = journal.append(events, "pipe");
  REQUIRE(results.size() == 5);

  auto all = journal.unfinished(0, 100);
  REQUIRE(all.size() == 5);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].seq == results[i].seq);
  }
  CHECK(journal.unfinished(0, 2).size() == 2);
  auto after = journal.unfinished(results[2].seq, 100);
  REQUIRE(after.size() == 2);
  CHECK(after[0].seq == results[3].seq);

  journal.mark_done(results[1].seq, 5000);
  auto left = journal.unfinished(0, 100);
  REQUIRE(left.size() == 4);
  CHECK(left[0].seq == results[0].seq);
  CHECK(left[0].state == EventState::pending);
  CHECK(left[1].seq == results[2].seq);
  auto done = journal.get(results[1].seq);
  REQUIRE(done);
  CHECK(done->state == EventState::done);
  CHECK(done->finished_at == 5000);

  auto backlog = journal.backlog();
  CHECK(backlog.count == 4);
  REQUIRE(backlog.oldest_received_at);
  CHECK(*backlog.oldest_received_at == left[0].received_at);
}

TEST_CASE_FIXTURE(Fixture, "an event without an enabled handler is journaled done") {
  auto first = journal.append(std::vector<Event>{make_event("client_delete", "d-1", "gone"),
                                                 make_event("client_create", "c-1", "new")},
                              "pipe");
  REQUIRE(first.size() == 2);
  CHECK_FALSE(first[0].pending);
  CHECK(first[1].pending);
  auto settled = journal.get(first[0].seq);
  REQUIRE(settled);
  CHECK(settled->state == EventState::done);
  CHECK(settled->finished_at == settled->received_at);
  CHECK(journal.counters().accepted == 2);
  auto waiting = journal.unfinished(0, 10);
  REQUIRE(waiting.size() == 1);
  CHECK(waiting[0].seq == first[1].seq);

  // A disabled handler runs nothing; an enabled one committed by another connection (the CLI)
  // applies from the next batch on.
  auto cli = open_journal_db(dir);
  add_handler(cli, "client_delete", false);
  CHECK_FALSE(journal.append(std::vector<Event>{make_event("client_delete", "d-2", "x")}, "pipe")[0].pending);
  add_handler(cli, "client_delete");
  auto later = journal.append(std::vector<Event>{make_event("client_delete", "d-3", "y")}, "pipe");
  CHECK(later[0].pending);
  CHECK(journal.get(later[0].seq)->state == EventState::pending);
  // A duplicate is neither pending nor settled again.
  auto again = journal.append(std::vector<Event>{make_event("client_delete", "d-1", "gone")}, "pipe");
  CHECK(again[0].duplicate);
  CHECK_FALSE(again[0].pending);
  CHECK(journal.get(first[0].seq)->state == EventState::done);
}

TEST_CASE_FIXTURE(Fixture, "a verbatim record is stored as it arrived") {
  const std::string line = R"({"event":"client_create", "id":"v-1", "new":{"login_name":"jdoe"}})";
  Journal::Batch batch(journal);
  batch.add(make_event("client_create", "v-1", "jdoe"), "pipe", line);
  batch.add(make_event("client_create", "v-2", "anna"), "pipe");
  auto results = batch.commit();
  REQUIRE(results.size() == 2);
  CHECK(journal.get(results[0].seq)->payload == line);
  CHECK(journal.get(results[1].seq)->payload == eventmgr::events::to_journal_json(make_event("client_create", "v-2", "anna")));
}

TEST_CASE_FIXTURE(Fixture, "an empty journal has no backlog") {
  auto backlog = journal.backlog();
  CHECK(backlog.count == 0);
  CHECK_FALSE(backlog.oldest_received_at);
  CHECK(journal.unfinished(0, 10).empty());
}

TEST_CASE_FIXTURE(Fixture, "daemon state values are set, replaced and cleared") {
  CHECK_FALSE(journal.get_daemon_state("pid"));
  journal.set_daemon_state("pid", "123");
  journal.set_daemon_state("pid", "456");
  CHECK(journal.get_daemon_state("pid") == "456");
  journal.clear_daemon_state("pid");
  CHECK_FALSE(journal.get_daemon_state("pid"));
}

TEST_CASE_FIXTURE(Fixture, "prune removes old done events with their runs and old rejected records") {
  auto results = journal.append(std::vector<Event>{make_event("client_create", "old", "a"),
                                                   make_event("client_create", "new", "b"),
                                                   make_event("client_create", "pending", "c")},
                                "pipe");
  journal.mark_done(results[0].seq, 1000);
  journal.mark_done(results[1].seq, eventmgr::now_ms());
  journal.reject("x", "bad", "pipe", "");
  for (std::int64_t seq : {results[0].seq, results[0].seq, results[1].seq}) {
    auto insert = db.prepare("INSERT INTO runs (event_seq, handler_id, user, argv, started_at, status)"
                             " VALUES (?1, 1, 'nobody', '[]', 1, 'ok')");
    insert.bind(1, seq).run();
  }

  auto first = journal.prune(5000);
  CHECK(first.events == 1);
  CHECK(first.runs == 2);
  CHECK(first.rejected == 0);
  CHECK_FALSE(journal.get(results[0].seq));

  auto second = journal.prune(eventmgr::now_ms() + 60000);
  CHECK(second.events == 1);
  CHECK(second.runs == 1);
  CHECK(second.rejected == 1);
  CHECK(journal.get(results[2].seq));
  CHECK(journal.unfinished(0, 10).size() == 1);
  // Totals stay: they count what arrived, not what is kept.
  CHECK(journal.counters().accepted == 3);
}

TEST_SUITE_END();
