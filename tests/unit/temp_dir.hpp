// SPDX-License-Identifier: MIT
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace eventmgr::testing {

// A private temporary directory for one test case, removed at its end (kept when
// EVENTMGR_KEEP_TMP is set, to look at a failure).
class TempDir {
public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "eventmgr-test-XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    REQUIRE(made != nullptr);
    m_path = made;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (std::getenv("EVENTMGR_KEEP_TMP") == nullptr) {
      std::error_code ec;
      std::filesystem::remove_all(m_path, ec);
    }
  }
  const std::filesystem::path& path() const { return m_path; }
  std::string file(const std::string& name) const { return (m_path / name).string(); }

private:
  std::filesystem::path m_path;
};

} // namespace eventmgr::testing
