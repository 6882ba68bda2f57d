// SPDX-License-Identifier: MIT
#include "daemon/panel_writer.hpp"

#include "common/clock.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <optional>

using eventmgr::daemon::ReceiptWriter;
using eventmgr::daemon::StatusFileWriter;
using eventmgr::testing::TempDir;

namespace {

ino_t inode(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

unsigned mode(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

} // namespace

TEST_SUITE_BEGIN("daemon::panel_writer");

TEST_CASE("the status file is live while its writer exists and replaced only when it changes") {
  TempDir dir;
  const auto path = dir.path() / "status.json";
  eventmgr::events::DaemonStatus status;
  status.pid = 7;
  {
    std::optional<StatusFileWriter> writer(std::in_place, path, getegid());
    REQUIRE(writer->update(status).ok());
    CHECK(mode(path) == 0640);
    auto read = eventmgr::events::read_status_file(path);
    REQUIRE(read.ok());
    CHECK(read->live);
    CHECK(read->status.pid == 7);

    ino_t first = inode(path);
    REQUIRE(writer->update(status).ok());
    CHECK(inode(path) == first);
    status.counters.accepted = 1;
    REQUIRE(writer->update(status).ok());
    CHECK(inode(path) != first);
    read = eventmgr::events::read_status_file(path);
    REQUIRE(read.ok());
    CHECK(read->live);
    CHECK(read->status.counters.accepted == 1);
    writer.reset();

    read = eventmgr::events::read_status_file(path);
    REQUIRE(read.ok());
    CHECK_FALSE(read->live);
    CHECK(read->status.counters.accepted == 1);
  }
  auto missing = eventmgr::events::read_status_file(dir.path() / "none.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message ==
        "cannot open status file " + (dir.path() / "none.json").string() + ": No such file or directory");
}

TEST_CASE("receipts are written in a directory the group cannot list and expire after ten minutes") {
  TempDir dir;
  const auto receipts = dir.path() / "receipts";
  ReceiptWriter writer(receipts, getegid());
  REQUIRE(writer.prepare().ok());
  CHECK(mode(receipts) == 0710);

  std::vector<eventmgr::events::ReceiptEntry> entries{
      {eventmgr::events::ReceiptEntry::Outcome::journaled, "a", 1, {}}};
  REQUIRE(writer.write("f.receipt.json", entries).ok());
  CHECK(mode(receipts / "f.receipt.json") == 0640);
  std::ifstream in(receipts / "f.receipt.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto read = eventmgr::events::parse_receipt(text);
  REQUIRE(read.ok());
  CHECK(read->at(0).seq == 1);

  const std::int64_t now = eventmgr::now_ms();
  writer.expire(now + 9 * 60 * 1000);
  CHECK(std::filesystem::exists(receipts / "f.receipt.json"));
  writer.expire(now + 11 * 60 * 1000);
  CHECK_FALSE(std::filesystem::exists(receipts / "f.receipt.json"));

  SUBCASE("a restart keeps young receipts and removes the rest") {
    REQUIRE(writer.write("young.receipt.json", entries).ok());
    std::ofstream(receipts / "old.receipt.json") << "{}";
    struct timespec times[2] = {{0, UTIME_OMIT}, {1, 0}};
    REQUIRE(::utimensat(AT_FDCWD, (receipts / "old.receipt.json").c_str(), times, 0) == 0);
    ReceiptWriter restarted(receipts, getegid());
    REQUIRE(restarted.prepare().ok());
    CHECK(std::filesystem::exists(receipts / "young.receipt.json"));
    CHECK_FALSE(std::filesystem::exists(receipts / "old.receipt.json"));
  }
}

TEST_SUITE_END();
