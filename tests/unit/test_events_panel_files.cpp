// SPDX-License-Identifier: MIT
#include "events/panel_files.hpp"

#include <doctest/doctest.h>

using eventmgr::events::DaemonStatus;
using eventmgr::events::ReceiptEntry;

TEST_SUITE_BEGIN("events::panel_files");

TEST_CASE("a status document reads back as written") {
  DaemonStatus status;
  status.pid = 42;
  status.started_at = 1'700'000'000'000;
  status.counters = {7, 2, 1};
  status.backlog = {3, 1'700'000'000'500};
  status.pickup_files = 1;
  status.runs_ok_last_hour = 5;
  status.runs_failed_last_hour = 4;
  status.last_error = "cannot open pickup file x\\x1b]0;";

  auto read = eventmgr::events::parse_daemon_status(eventmgr::events::to_json(status));
  REQUIRE(read.ok());
  CHECK(read->pid == 42);
  CHECK(read->started_at == 1'700'000'000'000);
  CHECK(read->counters.accepted == 7);
  CHECK(read->counters.rejected == 2);
  CHECK(read->counters.duplicate == 1);
  CHECK(read->backlog.count == 3);
  CHECK(read->backlog.oldest_received_at == 1'700'000'000'500);
  CHECK(read->pickup_files == 1);
  CHECK_FALSE(read->pickup_oldest.has_value());
  CHECK(read->runs_ok_last_hour == 5);
  CHECK(read->runs_failed_last_hour == 4);
  CHECK(read->last_error == status.last_error);

  auto garbage = eventmgr::events::parse_daemon_status("[1]");
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().message == "status file: not a status document");
}

TEST_CASE("a receipt reads back as written, without values") {
  std::vector<ReceiptEntry> entries{{ReceiptEntry::Outcome::journaled, "a", 5, {}},
                                    {ReceiptEntry::Outcome::duplicate, "b", 3, {}},
                                    {ReceiptEntry::Outcome::rejected, {}, 0, "unknown event 'x'"}};
  std::string text = eventmgr::events::receipt_to_json(entries);
  CHECK(text == R"({"records":[{"outcome":"journaled","id":"a","event_id":5},)"
                R"({"outcome":"duplicate","id":"b","event_id":3},)"
                R"({"outcome":"rejected","id":"","reason":"unknown event 'x'"}]})"
                "\n");
  auto read = eventmgr::events::parse_receipt(text);
  REQUIRE(read.ok());
  REQUIRE(read->size() == 3);
  CHECK(read->at(1).outcome == ReceiptEntry::Outcome::duplicate);
  CHECK(read->at(1).seq == 3);
  CHECK(read->at(2).reason == "unknown event 'x'");

  auto unknown = eventmgr::events::parse_receipt(R"({"records":[{"outcome":"lost"}]})");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message == "receipt: unknown outcome 'lost'");
}

TEST_CASE("only a NAME.receipt.json file asks for a receipt") {
  CHECK(eventmgr::events::wants_receipt("submit-1-ab.receipt.json"));
  CHECK_FALSE(eventmgr::events::wants_receipt("submit-1-ab.json"));
  CHECK_FALSE(eventmgr::events::wants_receipt(".receipt.json"));
}

TEST_SUITE_END();
