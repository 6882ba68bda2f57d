// SPDX-License-Identifier: MIT
#pragma once

#include "common/fd.hpp"
#include "daemon/panel_writer.hpp"
#include "daemon/recorder.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <sys/types.h>

#include <array>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <tuple>

namespace eventmgr::daemon {

// Journals record files from the pickup directory (docs/PROTOCOL.md): inotify for new files plus a
// scan at start; all records of one file in one transaction, then the file is unlinked. A file
// whose name asks for a receipt (events::wants_receipt) gets one in `receipts` before that.
// Only a regular file with one link, owned by root, the daemon's user or a member of
// `writers` (the pickup dir's group) is read; any other NAME.json entry is rejected once,
// unread, and removed (a non-empty directory is renamed to a dot name, which is not scanned).
class PickupIntake {
public:
  PickupIntake(boost::asio::io_context& io, std::filesystem::path dir, Recorder& recorder,
               ReceiptWriter& receipts, gid_t writers, std::shared_ptr<spdlog::logger> log);
  // Watches the directory and journals the files already there.
  void start();
  void stop();
  // Journals every complete file (NAME.json) now; returns how many files were taken.
  std::size_t scan();

private:
  void wait();
  // Journals one file; false when it must be retried later (storage failure).
  bool take(const std::filesystem::path& file);
  // Rejects the entry `file` (`st` from lstat or fstat) for `reason` without reading it, and
  // removes it; false when the rejection could not be stored (retried later).
  bool refuse(const std::filesystem::path& file, const struct stat& st, const std::string& reason);
  // Removes a refused entry; an entry that stays is remembered and never rejected again.
  void remove_refused(const std::filesystem::path& file, const struct stat& st);
  // Why a file owned by `uid` may not be read, or "" when its owner is one of the writers.
  std::string owner_problem(uid_t uid) const;

  std::filesystem::path m_dir;
  Recorder& m_recorder;
  ReceiptWriter& m_receipts;
  gid_t m_writers;
  // Refused entries that could not be removed (device, inode, type, change time).
  std::set<std::tuple<dev_t, ino_t, mode_t, std::int64_t>> m_kept;
  std::shared_ptr<spdlog::logger> m_log;
  boost::asio::posix::stream_descriptor m_inotify;
  boost::asio::steady_timer m_retry;
  std::array<char, 4096> m_events{};
  bool m_stopped = false;
};

} // namespace eventmgr::daemon
