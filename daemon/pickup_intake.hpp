// SPDX-License-Identifier: MIT
#pragma once

#include "common/fd.hpp"
#include "daemon/panel_writer.hpp"
#include "daemon/recorder.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <array>
#include <filesystem>
#include <memory>

namespace eventmgr::daemon {

// Journals record files from the pickup directory (SPEC 4.3): inotify for new files plus a
// scan at start; all records of one file in one transaction, then the file is unlinked. A file
// whose name asks for a receipt (events::wants_receipt) gets one in `receipts` before that.
class PickupIntake {
public:
  PickupIntake(boost::asio::io_context& io, std::filesystem::path dir, Recorder& recorder,
               ReceiptWriter& receipts, std::shared_ptr<spdlog::logger> log);
  // Watches the directory and journals the files already there.
  void start();
  void stop();
  // Journals every complete file (NAME.json) now; returns how many files were taken.
  std::size_t scan();

private:
  void wait();
  // Journals one file; false when it must be retried later (storage failure).
  bool take(const std::filesystem::path& file);

  std::filesystem::path m_dir;
  Recorder& m_recorder;
  ReceiptWriter& m_receipts;
  std::shared_ptr<spdlog::logger> m_log;
  boost::asio::posix::stream_descriptor m_inotify;
  boost::asio::steady_timer m_retry;
  std::array<char, 4096> m_events{};
  bool m_stopped = false;
};

} // namespace eventmgr::daemon
