// SPDX-License-Identifier: MIT
#pragma once

#include "common/fd.hpp"
#include "daemon/recorder.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace eventmgr::daemon {

// Reads records from the named pipe (SPEC 4.2). Bytes leave the FIFO only after the records
// they hold are committed: each round tee(2)s the FIFO into a private pipe, reads that copy,
// journals the complete lines, then consumes exactly those bytes from the FIFO. A kill -9
// between commit and consume re-reads records that are then dropped by their id.
class PipeIntake {
public:
  // Takes ownership of `fifo_fd` (opened O_RDWR|O_NONBLOCK, so it never sees end-of-file).
  PipeIntake(boost::asio::io_context& io, UniqueFd fifo_fd, Recorder& recorder,
             std::shared_ptr<spdlog::logger> log);
  void start();
  void stop();

private:
  void wait();
  void on_readable();
  // Processes the bytes copied from the FIFO; returns how many may be consumed.
  std::size_t process(std::string_view data);
  void consume(std::size_t count);

  boost::asio::posix::stream_descriptor m_fifo;
  UniqueFd m_copy_read;
  UniqueFd m_copy_write;
  UniqueFd m_null;
  Recorder& m_recorder;
  std::shared_ptr<spdlog::logger> m_log;
  boost::asio::steady_timer m_retry;
  std::string m_buffer;
  bool m_skipping = false; // inside an over-long line: drop bytes up to the next newline
  bool m_stopped = false;
};

} // namespace eventmgr::daemon
