// SPDX-License-Identifier: MIT
#include "daemon/recorder.hpp"
#include "events/database.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>

#include <memory>
#include <string>

using eventmgr::daemon::k_burst_rows;
using eventmgr::daemon::Recorder;
using eventmgr::events::Journal;
using eventmgr::testing::TempDir;

namespace {

struct Fixture {
  TempDir dir;
  eventmgr::sqlite::Database db = [this] {
    auto opened = eventmgr::events::open_database(dir.file("eventmgr.db"), eventmgr::events::OpenFor::daemon);
    REQUIRE_MESSAGE(opened.ok(), opened.error().message);
    return std::move(opened).value();
  }();
  Journal journal{db};
  std::shared_ptr<const eventmgr::events::Catalog> catalog = [] {
    auto loaded = eventmgr::events::Catalog::load({});
    REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
    return std::make_shared<const eventmgr::events::Catalog>(std::move(loaded).value());
  }();
  Recorder recorder{
      journal, catalog,
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>())};

  std::int64_t rows() { return static_cast<std::int64_t>(journal.list_rejected(0, 100000).size()); }
};

} // namespace

TEST_SUITE_BEGIN("daemon::Recorder");

TEST_CASE_FIXTURE(Fixture,
                  "a burst stores k_burst_rows rejected rows, then one summary row that counts the rest") {
  const std::size_t flood = 5000;
  for (std::size_t i = 0; i < flood; ++i) {
    std::string line = "x"; // appended: GCC 12's false -Wrestrict at -O2 on "literal" + string
    line += std::to_string(i);
    recorder.add(line, "pickup");
    if (i % 1000 == 0) {
      recorder.commit(); // a burst goes on across commits
    }
  }
  recorder.commit();
  CHECK(rows() == static_cast<std::int64_t>(k_burst_rows));
  recorder.end_burst("pickup");
  recorder.commit();
  CHECK(rows() == static_cast<std::int64_t>(k_burst_rows) + 1);
  CHECK(journal.counters().rejected == static_cast<std::int64_t>(flood));
  auto summary = journal.list_rejected(0, 1, 65536).at(0);
  CHECK(summary.reason.find(std::to_string(flood - k_burst_rows) + " more records rejected via pickup") == 0);
  CHECK(summary.raw.starts_with("x100\nx101\n"));

  SUBCASE("the next burst stores its rejections one row each again") {
    recorder.add("y", "pickup");
    recorder.end_burst("pickup");
    recorder.commit();
    CHECK(rows() == static_cast<std::int64_t>(k_burst_rows) + 2);
    CHECK(journal.list_rejected(0, 1).at(0).raw == "y");
  }
}

TEST_CASE_FIXTURE(Fixture, "each intake has its own burst") {
  for (std::size_t i = 0; i < k_burst_rows; ++i) {
    recorder.add("x", "pipe");
  }
  recorder.add("y", "pickup");
  recorder.commit();
  CHECK(rows() == static_cast<std::int64_t>(k_burst_rows) + 1);
  CHECK(recorder.burst_last_rejection("pipe").has_value());
  recorder.end_burst("pipe");
  CHECK_FALSE(recorder.burst_last_rejection("pipe").has_value());
}

TEST_CASE_FIXTURE(Fixture, "committed records are counted by intake and rejection kind, folded ones too") {
  eventmgr::daemon::DaemonMetrics metrics;
  recorder.count_into(metrics);
  recorder.add(R"({"event":"client_create","id":"a","new":{"login_name":"a"}})", "pipe");
  recorder.add(R"({"event":"client_create","id":"a","new":{"login_name":"a"}})", "pipe"); // duplicate
  recorder.add("not json", "pipe");
  recorder.add(R"({"event":"nope"})", "pipe");
  CHECK(metrics.records_received.children().empty()); // nothing committed yet
  recorder.commit();
  CHECK(metrics.records_received.with({"pipe"}).value() == 4);
  CHECK(metrics.records_rejected.with({"malformed_json"}).value() == 1);
  CHECK(metrics.records_rejected.with({"unknown_event"}).value() == 1);

  // Beyond the burst's rows the records are folded into one summary row, and still each counted.
  for (std::size_t i = 0; i < k_burst_rows + 50; ++i) {
    recorder.add("y", "pickup");
  }
  recorder.end_burst("pickup");
  recorder.commit();
  CHECK(metrics.records_received.with({"pickup"}).value() == k_burst_rows + 50);
  CHECK(metrics.records_rejected.with({"malformed_json"}).value() == k_burst_rows + 51);
}

TEST_SUITE_END();
