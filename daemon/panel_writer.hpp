// SPDX-License-Identifier: MIT
#pragma once

#include "common/fd.hpp"
#include "common/result.hpp"
#include "events/panel_files.hpp"

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace eventmgr::daemon {

// Writes STATE/status.json for readers who may not open the journal (events/panel_files.hpp).
// Each version is a new file (mode 0640, group `group`) locked with flock(2) before it is
// renamed into place and kept locked until the next one is, so the file at the path is locked
// exactly while the daemon runs.
class StatusFileWriter {
public:
  StatusFileWriter(std::filesystem::path path, gid_t group);
  // Replaces the file with `status` unless it says what the current one says. The error names
  // the file and the cause; the previous file then stays.
  Result<void> update(const events::DaemonStatus& status);

private:
  std::filesystem::path m_path;
  gid_t m_group;
  std::string m_written;
  UniqueFd m_locked; // the file now at m_path
};

// The files waiting in the pickup dir and the oldest's modification time (unix ms).
std::pair<std::int64_t, std::optional<std::int64_t>> count_pickup_files(const std::filesystem::path& dir);

// Writes the receipts of pickup files that ask for one (events::wants_receipt) into
// STATE/receipts (mode 0710, group `group`: the group opens a receipt by its name and cannot
// list the directory), and removes each ten minutes later.
class ReceiptWriter {
public:
  ReceiptWriter(std::filesystem::path dir, gid_t group);
  // Creates the directory (or sets its owner and mode) and removes the receipts an earlier run
  // left. The error names the directory and the cause.
  Result<void> prepare();
  // Writes the receipt `name` (a pickup file's name) holding `entries`, replacing one of that
  // name. The error names the file and the cause.
  Result<void> write(std::string_view name, std::span<const events::ReceiptEntry> entries);
  // Removes the receipts written before `now_ms` minus ten minutes.
  void expire(std::int64_t now_ms);

private:
  std::filesystem::path m_dir;
  gid_t m_group;
  std::deque<std::pair<std::int64_t, std::string>> m_written; // (written at, name), oldest first
};

} // namespace eventmgr::daemon
