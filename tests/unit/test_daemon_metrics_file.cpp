// SPDX-License-Identifier: MIT
#include "daemon/metrics_file.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using eventmgr::daemon::MetricsFileWriter;
using eventmgr::testing::TempDir;

TEST_SUITE_BEGIN("daemon::MetricsFileWriter");

namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

TEST_CASE("each write replaces the file, mode 0644, and leaves nothing else in its dir") {
  TempDir dir;
  MetricsFileWriter writer(dir.file("eventmgr.prom"));
  REQUIRE(writer.write("a 1\n"));
  REQUIRE(writer.write("a 2\n"));
  CHECK(read_all(dir.file("eventmgr.prom")) == "a 2\n");
  struct stat st {};
  REQUIRE(::stat(dir.file("eventmgr.prom").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
  }
  CHECK(entries == 1);
}

TEST_CASE("a symbolic link at the path or the temp name is replaced, never written through") {
  TempDir dir;
  const auto target = dir.file("target");
  { std::ofstream(target) << "kept\n"; }
  std::filesystem::create_symlink(target, dir.file("eventmgr.prom"));
  std::filesystem::create_symlink(target, dir.file(".eventmgr.prom.writing"));
  MetricsFileWriter writer(dir.file("eventmgr.prom"));
  REQUIRE(writer.write("a 1\n"));
  CHECK(read_all(target) == "kept\n");
  CHECK_FALSE(std::filesystem::is_symlink(dir.file("eventmgr.prom")));
  CHECK(read_all(dir.file("eventmgr.prom")) == "a 1\n");
}

TEST_CASE("a missing directory is an error naming the file") {
  TempDir dir;
  MetricsFileWriter writer(dir.file("missing/eventmgr.prom"));
  auto written = writer.write("a 1\n");
  REQUIRE_FALSE(written);
  CHECK(written.error().message ==
        "cannot create " + dir.file("missing/.eventmgr.prom.writing") + ": No such file or directory");
}

TEST_SUITE_END();
