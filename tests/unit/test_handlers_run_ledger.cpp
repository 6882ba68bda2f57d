// SPDX-License-Identifier: MIT
#include "handlers/run_ledger.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <string>

using eventmgr::handlers::RunLedger;
using eventmgr::handlers::RunStart;
using eventmgr::testing::TempDir;

namespace {

RunStart start_of(std::int64_t seq, std::string argv_json = R"(["/bin/true","a"])") {
  RunStart start;
  start.event_seq = seq;
  start.handler_id = 7;
  start.attempt = 2;
  start.user = "nobody";
  start.argv_json = std::move(argv_json);
  start.started_at = 1700000000123;
  return start;
}

} // namespace

TEST_CASE("run ledger: a taken slot outlives the ledger object, a released one does not") {
  TempDir dir;
  auto path = dir.path() / "db-ledger";
  {
    auto ledger = RunLedger::open(path, 8);
    REQUIRE(ledger);
    CHECK(ledger->left_over().empty());
    CHECK(ledger->free_slots() == 8);
    int kept = ledger->reserve(start_of(11));
    int released = ledger->reserve(start_of(12));
    int never_started = ledger->reserve(start_of(13));
    CHECK(kept >= 0);
    CHECK(released >= 0);
    CHECK(kept != released);
    ledger->mark_started(kept, 1700000000456);
    ledger->mark_started(released, 1700000000456);
    ledger->release(released);
    CHECK(ledger->free_slots() == 6);
    CHECK(never_started >= 0); // reserved, not started: not a run a crash interrupted
    // Destroyed without releasing `kept`, as a killed daemon leaves it.
  }
  struct stat info {};
  REQUIRE(stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  auto reopened = RunLedger::open(path, 8);
  REQUIRE(reopened);
  REQUIRE(reopened->left_over().size() == 1);
  const RunStart& left = reopened->left_over().front();
  CHECK(left.event_seq == 11);
  CHECK(left.handler_id == 7);
  CHECK(left.attempt == 2);
  CHECK(left.user == "nobody");
  CHECK(left.argv_json == R"(["/bin/true","a"])");
  CHECK(left.started_at == 1700000000456); // the time of mark_started
  CHECK(reopened->free_slots() == 7); // the left-over slot stays taken until recorded
  reopened->clear_left_over();
  CHECK(reopened->free_slots() == 8);
  CHECK(reopened->left_over().empty());

  auto again = RunLedger::open(path, 8);
  REQUIRE(again);
  CHECK(again->left_over().empty());
}

TEST_CASE("run ledger: full, and an argv too long for a slot") {
  TempDir dir;
  auto ledger = RunLedger::open(dir.path() / "db-ledger", 2);
  REQUIRE(ledger);
  int first = ledger->reserve(start_of(1));
  int second = ledger->reserve(start_of(2, "[\"" + std::string(5000, 'x') + "\"]"));
  CHECK(first >= 0);
  CHECK(second >= 0);
  CHECK(ledger->reserve(start_of(3)) == -1);
  ledger->mark_started(first, 5);
  ledger->mark_started(second, 5);
  CHECK(ledger->free_slots() == 0);

  auto reopened = RunLedger::open(dir.path() / "db-ledger", 2);
  REQUIRE(reopened);
  REQUIRE(reopened->left_over().size() == 2);
  CHECK(reopened->left_over()[1].argv_json == R"x(["(5004 bytes of argv, too long for the run ledger)"])x");
}

TEST_CASE("run ledger: a file that cannot be opened is an error naming it") {
  TempDir dir;
  auto ledger = RunLedger::open(dir.path() / "missing" / "db-ledger", 4);
  REQUIRE_FALSE(ledger);
  CHECK(ledger.error().message.find("missing/db-ledger") != std::string::npos);
}
