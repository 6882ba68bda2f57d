// SPDX-License-Identifier: MIT
#include "common/trusted_files.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <string>

using namespace eventmgr;

namespace {

// What stat(2) says of a file of type `type` and `mode`, owned by the caller (or by `uid`).
struct stat file(mode_t type, mode_t mode, uid_t uid = ::geteuid(), gid_t gid = ::getegid(),
                 nlink_t links = 1) {
  struct stat st{};
  st.st_mode = type | mode;
  st.st_uid = uid;
  st.st_gid = gid;
  st.st_nlink = links;
  return st;
}

// A uid and a gid that are neither root's nor the caller's.
const uid_t k_other_uid = ::geteuid() + 54321;
const gid_t k_other_gid = ::getegid() + 54321;

std::string problem_of(const std::optional<std::string>& problem) {
  REQUIRE(problem.has_value());
  return *problem;
}

} // namespace

TEST_SUITE_BEGIN("common::trusted_files");

TEST_CASE("a private file is writable by its owner only, or by root's or the caller's group") {
  CHECK_FALSE(private_problem(file(S_IFREG, 0644), "/etc/e.yaml"));
  CHECK_FALSE(private_problem(file(S_IFREG, 0664, ::geteuid(), 0), "/etc/e.yaml"));
  CHECK(problem_of(private_problem(file(S_IFREG, 0666), "/etc/e.yaml")) ==
        "writable by other users (mode 0666): chmod go-w /etc/e.yaml");
  CHECK(problem_of(private_problem(file(S_IFREG, 0664, ::geteuid(), k_other_gid), "/etc/e.yaml")) ==
        "writable by other users (mode 0664): chmod go-w /etc/e.yaml");
  const std::string foreign = problem_of(private_problem(file(S_IFREG, 0666, k_other_uid), "/etc/e.yaml"));
  CHECK(foreign.starts_with("owned by uid " + std::to_string(k_other_uid)));
  CHECK(foreign.find(", mode 0666; only root or the daemon's user may own it: chown ") != std::string::npos);
  CHECK(foreign.ends_with(" /etc/e.yaml && chmod go-w /etc/e.yaml"));
}

TEST_CASE("a path in a fix command is one shell word") {
  CHECK(problem_of(private_problem(file(S_IFREG, 0666), "/srv/my state/it's.yaml")) ==
        "writable by other users (mode 0666): chmod go-w '/srv/my state/it'\\''s.yaml'");
}

TEST_CASE("the state dir is a real directory no group or other user can write") {
  CHECK_FALSE(state_dir_problem(file(S_IFDIR, 0750), "/var/lib/eventmgr"));
  CHECK(problem_of(state_dir_problem(file(S_IFDIR, 0777), "/s")) ==
        "writable by other users (mode 0777), who may have planted files in it: check what it holds, then "
        "chmod go-w /s");
  CHECK(problem_of(state_dir_problem(file(S_IFDIR, 0770, ::geteuid(), 0), "/s"))
            .starts_with("writable by other users"));
  CHECK(problem_of(state_dir_problem(file(S_IFLNK, 0777), "/s")).starts_with("a symbolic link"));
  CHECK(problem_of(state_dir_problem(file(S_IFREG, 0600), "/s")) == "not a directory");
  CHECK(problem_of(state_dir_problem(file(S_IFDIR, 0750, k_other_uid), "/s")).starts_with("owned by uid"));
}

TEST_CASE("a dir above may be group-writable or sticky, not open to all") {
  CHECK_FALSE(parent_dir_problem(file(S_IFDIR, 01777, 0, 0), "/tmp"));
  CHECK_FALSE(parent_dir_problem(file(S_IFDIR, 0775, 0, k_other_gid), "/var/log"));
  CHECK(problem_of(parent_dir_problem(file(S_IFDIR, 0777), "/srv")) ==
        "writable by every user without the sticky bit (mode 0777): chmod o-w /srv");
}

TEST_CASE("the lock is a regular file with one link and at most mode 0640") {
  CHECK_FALSE(lock_file_problem(file(S_IFREG, 0640), "/s/eventmgrd.lock"));
  CHECK_FALSE(lock_file_problem(file(S_IFREG, 0600), "/s/eventmgrd.lock"));
  CHECK(problem_of(lock_file_problem(file(S_IFLNK, 0777), "/s/eventmgrd.lock")) ==
        "a symbolic link, which the lock never follows: rm /s/eventmgrd.lock (eventmgrd makes a new one)");
  CHECK(
      problem_of(lock_file_problem(file(S_IFREG, 0640, ::geteuid(), ::getegid(), 2), "/s/eventmgrd.lock")) ==
      "has 2 hard links, not one: rm /s/eventmgrd.lock (eventmgrd makes a new one)");
  CHECK(problem_of(lock_file_problem(file(S_IFREG, 0644), "/s/eventmgrd.lock")) ==
        "mode 0644, wider than 0640: chmod 0640 /s/eventmgrd.lock");
  CHECK(problem_of(lock_file_problem(file(S_IFDIR, 0755), "/s/eventmgrd.lock"))
            .starts_with("not a regular file"));
}

TEST_CASE("the FIFO lets the pipe group write, no one else read or write") {
  const gid_t group = k_other_gid;
  CHECK_FALSE(fifo_problem(file(S_IFIFO, 0620, 0, group), "/s/events.pipe", group, FifoSource::path));
  CHECK_FALSE(
      fifo_problem(file(S_IFIFO, 0600, 0, k_other_gid + 1), "/s/events.pipe", group, FifoSource::path));
  CHECK(problem_of(fifo_problem(file(S_IFIFO, 0666, 0, group), "/s/events.pipe", group, FifoSource::path)) ==
        "mode 0666, expected 0620 (the panel's group may write, not read): chmod 0620 /s/events.pipe");
  CHECK(
      problem_of(fifo_problem(file(S_IFIFO, 0660, 0, group), "/s/events.pipe", group, FifoSource::systemd)) ==
      "mode 0660, expected 0620 (the panel's group may write, not read): set SocketMode=0620 in "
      "eventmgrd.socket "
      "(systemd)");
  CHECK(problem_of(
            fifo_problem(file(S_IFIFO, 0620, 0, k_other_gid + 1), "/s/events.pipe", group, FifoSource::path))
            .find("may write to it, not the pipe group") != std::string::npos);
  const std::string foreign = problem_of(
      fifo_problem(file(S_IFIFO, 0620, k_other_uid, group), "/s/events.pipe", group, FifoSource::path));
  CHECK(foreign.find("its owner may hold it open and read the panel's records: rm /s/events.pipe") !=
        std::string::npos);
  CHECK(problem_of(fifo_problem(file(S_IFREG, 0620), "/s/events.pipe", group, FifoSource::path)) ==
        "not a FIFO; remove it or set another `pipe` path");
}

TEST_CASE("the pickup dir lets the pipe group add files, not list or remove them") {
  const gid_t group = k_other_gid;
  CHECK_FALSE(pickup_dir_problem(file(S_IFDIR, 01730, 0, group), "/s/pickup", group));
  for (mode_t mode : {0777, 0730, 01770, 01733}) {
    CAPTURE(mode);
    CHECK(problem_of(pickup_dir_problem(file(S_IFDIR, mode, 0, group), "/s/pickup", group))
              .ends_with(", expected 1730 (the panel's group may add files, not list or remove them): chmod "
                         "1730 /s/pickup"));
  }
  CHECK(problem_of(pickup_dir_problem(file(S_IFDIR, 01730, 0, k_other_gid + 1), "/s/pickup", group))
            .find("may add files, not the pipe group") != std::string::npos);
  CHECK(
      problem_of(pickup_dir_problem(file(S_IFLNK, 0777), "/s/pickup", group)).starts_with("a symbolic link"));
}

TEST_CASE("the log file is ours and a regular file with one link; a wide mode is narrowed, not refused") {
  CHECK_FALSE(log_file_problem(file(S_IFREG, 0666), "/l/d.log"));
  CHECK(problem_of(log_file_problem(file(S_IFLNK, 0777), "/l/d.log")) ==
        "a symbolic link, which eventmgrd does not follow: rm /l/d.log, or set log_file to the file itself");
  CHECK(problem_of(log_file_problem(file(S_IFREG, 0640, ::geteuid(), ::getegid(), 2), "/l/d.log"))
            .starts_with("has 2 hard links"));
  CHECK(
      problem_of(log_file_problem(file(S_IFREG, 0640, k_other_uid), "/l/d.log")).starts_with("owned by uid"));
}

TEST_CASE("file_problems checks what exists and skips what eventmgrd will create") {
  eventmgr::testing::TempDir dir;
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  Config config;
  config.state_dir = dir.path() / "state";
  config.database = config.state_dir / "eventmgr.db";
  config.pipe = config.state_dir / "events.pipe";
  config.pickup_dir = config.state_dir / "pickup";
  const gid_t group = ::getegid();
  CHECK(file_problems(config, group, config.state_dir / "eventmgr.db-ledger").empty());

  REQUIRE(::mkdir(config.state_dir.c_str(), 0750) == 0);
  REQUIRE(::chmod(config.state_dir.c_str(), 0777) == 0);
  REQUIRE(::symlink("/etc/hostname", (config.state_dir / "eventmgrd.lock").c_str()) == 0);
  const auto problems = file_problems(config, group, config.state_dir / "eventmgr.db-ledger");
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].what == "state dir");
  CHECK(problems[0].refusal() ==
        "refusing state dir " + config.state_dir.string() +
            ": writable by other users (mode 0777), who may have planted files in it: check "
            "what it holds, then chmod go-w " +
            config.state_dir.string());
  CHECK(problems[1].what == "lock file");
}

TEST_CASE("create_parent_dirs gives each missing dir its mode whatever the umask") {
  eventmgr::testing::TempDir dir;
  const mode_t old = ::umask(0);
  const auto made = create_parent_dirs(dir.path() / "a" / "b" / "leaf", 0755);
  ::umask(old);
  REQUIRE(made.ok());
  struct stat st{};
  REQUIRE(::stat((dir.path() / "a").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);
  REQUIRE(::stat((dir.path() / "a" / "b").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);
  CHECK(::access((dir.path() / "a" / "b" / "leaf").c_str(), F_OK) != 0);
}

TEST_SUITE_END();
