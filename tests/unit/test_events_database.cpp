// SPDX-License-Identifier: MIT
#include "events/database.hpp"

#include "events/journal.hpp"
#include "events/record.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

namespace eventmgr::schema {
extern const std::string_view k_001_initial;
} // namespace eventmgr::schema

using eventmgr::events::k_schema_version;
using eventmgr::events::open_database;
using eventmgr::events::OpenFor;
using eventmgr::testing::TempDir;

namespace {

unsigned file_mode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::int64_t count_rows(eventmgr::sqlite::Database& db, const std::string& table) {
  auto statement = db.prepare("SELECT count(*) FROM " + table);
  REQUIRE(statement.step());
  return statement.column_int(0);
}

// Sets the process umask for one test case and restores it.
class UmaskGuard {
public:
  explicit UmaskGuard(mode_t mask) : m_old(::umask(mask)) {}
  UmaskGuard(const UmaskGuard&) = delete;
  UmaskGuard& operator=(const UmaskGuard&) = delete;
  ~UmaskGuard() { ::umask(m_old); }

private:
  mode_t m_old;
};

} // namespace

TEST_SUITE_BEGIN("events::Database");

TEST_CASE("a new database is created and migrated to the current schema") {
  TempDir dir;
  const std::string path = dir.file("eventmgr.db");

  SUBCASE("no file yet") {}
  SUBCASE("an empty file") {
    std::ofstream(path).close();
  }

  auto db = open_database(path, OpenFor::daemon);
  REQUIRE_MESSAGE(db.ok(), db.error().message);
  CHECK(db->user_version() == k_schema_version);
  CHECK(count_rows(*db, "handlers") == 0);
  CHECK(count_rows(*db, "events") == 0);
  CHECK(count_rows(*db, "runs") == 0);
  CHECK(count_rows(*db, "rejected") == 0);
  CHECK(count_rows(*db, "counters") == 4); // accepted, rejected, duplicate, last_seq
  CHECK(count_rows(*db, "daemon_state") == 0);
}

TEST_CASE("reopening a current database changes nothing") {
  TempDir dir;
  const std::string path = dir.file("eventmgr.db");
  {
    auto db = open_database(path, OpenFor::daemon);
    REQUIRE(db.ok());
    db->exec("UPDATE counters SET value = 7 WHERE name = 'accepted'");
  }
  for (OpenFor purpose : {OpenFor::daemon, OpenFor::cli, OpenFor::read_only}) {
    auto db = open_database(path, purpose);
    REQUIRE_MESSAGE(db.ok(), db.error().message);
    CHECK(db->user_version() == k_schema_version);
    CHECK(count_rows(*db, "counters") == 4); // accepted, rejected, duplicate, last_seq
    auto statement = db->prepare("SELECT value FROM counters WHERE name = 'accepted'");
    REQUIRE(statement.step());
    CHECK(statement.column_int(0) == 7);
  }
}

TEST_CASE("a database newer than the binary is refused") {
  TempDir dir;
  const std::string path = dir.file("eventmgr.db");
  {
    auto db = open_database(path, OpenFor::daemon);
    REQUIRE(db.ok());
    db->exec("PRAGMA user_version = 99");
  }
  const std::string expected = "database " + path +
                               " has schema version 99; this eventmgr knows up to " +
                               std::to_string(k_schema_version);
  for (OpenFor purpose : {OpenFor::daemon, OpenFor::cli, OpenFor::read_only}) {
    auto db = open_database(path, purpose);
    REQUIRE_FALSE(db.ok());
    CHECK(db.error().message == expected);
  }
}

TEST_CASE("a version 1 journal is rebuilt as version 2 with its runs, replays and seq") {
  TempDir dir;
  const std::string path = dir.file("eventmgr.db");
  {
    // A database as eventmgr with schema version 1 left it: three events, the newest two
    // pruned (so AUTOINCREMENT's sqlite_sequence is ahead of max(seq)), a run and a replay.
    auto v1 = eventmgr::sqlite::Database::open(path, eventmgr::sqlite::Mode::read_write_create);
    REQUIRE_MESSAGE(v1.ok(), v1.error().message);
    v1->exec(std::string(eventmgr::schema::k_001_initial));
    v1->exec("PRAGMA user_version = 1");
    v1->exec("INSERT INTO events (submit_id, event, payload, via, received_at, state) VALUES"
             " ('a', 'client_create', '{}', 'pipe', 1, 'pending'), (NULL, 'client_delete', '{}', 'pipe', 2, 'done'),"
             " (NULL, 'client_delete', '{}', 'pipe', 3, 'done')");
    v1->exec("DELETE FROM events WHERE seq > 1");
    v1->exec("INSERT INTO runs (event_seq, handler_id, user, argv, started_at, status) VALUES (1, 1, 'nobody', '[]', 1, 'ok')");
    v1->exec("INSERT INTO replays (event_seq, requested_at) VALUES (1, 5)");
  }
  auto db = open_database(path, OpenFor::daemon);
  REQUIRE_MESSAGE(db.ok(), db.error().message);
  CHECK(db->user_version() == k_schema_version);
  CHECK(count_rows(*db, "events") == 1);
  CHECK(count_rows(*db, "runs") == 1);
  CHECK(count_rows(*db, "replays") == 1);
  auto foreign_keys = db->prepare("PRAGMA foreign_keys");
  REQUIRE(foreign_keys.step());
  CHECK(foreign_keys.column_int(0) == 1);
  foreign_keys.reset();

  // Numbering goes on after the highest seq ever given, and ids stay unique.
  eventmgr::events::Journal journal(*db);
  eventmgr::events::Event event;
  event.name = "client_create";
  event.submit_id = "a";
  event.new_values = {{"login_name", "x"}};
  std::vector<eventmgr::events::Event> batch{event, event};
  batch[1].submit_id = "b";
  auto results = journal.append(batch, "pipe");
  REQUIRE(results.size() == 2);
  CHECK(results[0].duplicate);
  CHECK(results[0].seq == 1);
  CHECK_FALSE(results[1].duplicate);
  CHECK(results[1].seq == 4);
  batch[1].submit_id = "";
  CHECK(journal.append(std::span(batch).subspan(1), "pipe")[0].seq == 5);

  // The cascade still works: pruning the event removes its run.
  db->exec("UPDATE events SET state = 'done', finished_at = 1 WHERE seq = 1");
  CHECK(journal.prune(10).events == 1);
  CHECK(count_rows(*db, "runs") == 0);
  CHECK(journal.append(std::span(batch).subspan(1), "pipe")[0].seq == 6);
}

TEST_CASE("read-only opening neither creates nor migrates") {
  TempDir dir;
  const std::string path = dir.file("eventmgr.db");

  auto missing = open_database(path, OpenFor::read_only);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "cannot open database " + path + ": No such file or directory");
  CHECK_FALSE(std::filesystem::exists(path));

  std::ofstream(path).close();
  auto old = open_database(path, OpenFor::read_only);
  REQUIRE_FALSE(old.ok());
  CHECK(old.error().message == "database " + path + " has schema version 0; this eventmgr needs " +
                                 std::to_string(k_schema_version) + " (eventmgrd migrates it at start)");
}

TEST_CASE("a new database file gets exactly the mode asked for") {
  TempDir dir;
  const std::string path = dir.file("eventmgr.db");
  UmaskGuard mask_guard(022);

  SUBCASE("the default is 0600") {
    auto db = open_database(path, OpenFor::daemon);
    REQUIRE(db.ok());
    CHECK(file_mode(path) == 0600);
  }
  SUBCASE("a group-writable mode survives the umask") {
    auto db = open_database(path, OpenFor::daemon, 0660);
    REQUIRE(db.ok());
    CHECK(file_mode(path) == 0660);
  }
}

TEST_CASE("database files an older version gave to a group are made private") {
  TempDir dir;
  const std::string path = dir.file("eventmgr.db");
  {
    auto db = open_database(path, OpenFor::daemon);
    REQUIRE(db.ok());
  }
  std::ofstream(path + "-wal").close();
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  REQUIRE(::chmod((path + "-wal").c_str(), 0644) == 0);

  auto changed = eventmgr::events::make_database_private(path);
  REQUIRE(changed.ok());
  REQUIRE(changed->size() == 2);
  CHECK(changed->at(0).starts_with("made " + path + " private: it was mode 0640 group "));
  CHECK(changed->at(1).starts_with("made " + path + "-wal private: it was mode 0644 group "));
  CHECK(file_mode(path) == 0600);
  CHECK(file_mode(path + "-wal") == 0600);

  SUBCASE("private files are left alone") {
    auto again = eventmgr::events::make_database_private(path);
    REQUIRE(again.ok());
    CHECK(again->empty());
  }
  SUBCASE("a symlink is refused, not followed") {
    REQUIRE(::symlink(path.c_str(), (path + "-shm").c_str()) == 0);
    auto linked = eventmgr::events::make_database_private(path);
    REQUIRE_FALSE(linked.ok());
    CHECK(linked.error().message ==
          "cannot check database file " + path + "-shm: Too many levels of symbolic links");
  }
}

TEST_SUITE_END();
