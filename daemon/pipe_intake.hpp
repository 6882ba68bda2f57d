// SPDX-License-Identifier: MIT
#pragma once

#include "common/fd.hpp"
#include "daemon/recorder.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace eventmgr::daemon {

// Reads records from the named pipe (docs/PROTOCOL.md). Bytes leave the FIFO only after the records
// they hold are committed: each round tee(2)s the FIFO into a private pipe, reads that copy,
// journals the complete lines, then consumes exactly those bytes from the FIFO. A kill -9
// between commit and consume re-reads records that are then dropped by their id.
//
// One writer's mistake never costs another writer's record, and every byte is journaled or
// kept as rejected (records of at most 4096 bytes are written atomically, so they are whole):
// - a line is cut into records by split_line: a fragment in front of a record (a writer that
//   stopped mid-record, or omitted its newline) is rejected alone, the records are taken;
// - bytes without a newline that stay unchanged for k_quiet are taken as a line too, so a
//   fragment never glues onto the next writer's record, and a record without its newline is
//   journaled;
// - a line over 4096 bytes is consumed as it comes, except its last 4095 bytes, which may
//   hold a record; when it ends (newline or quiet) the records that end it are taken and the
//   rest is one rejected row: its byte count and first 64 KiB.
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
  // Processes the bytes copied from the FIFO; `quiet`: they have not changed for k_quiet.
  // Returns how many may be consumed.
  std::size_t process(std::string_view data, bool quiet);
  // Journals one line (without its newline) of at most 4096 bytes, or the bytes left by quiet.
  void take_line(std::string_view line, std::string_view fragment_reason);
  // Ends the over-long line with `last` (its remaining bytes): the records ending it are
  // taken, the rest is one rejected row (for `fragment_reason` when it is short after all).
  void finish_overlong(std::string_view last, std::string_view fragment_reason);
  void consume(std::size_t count);
  // Ends the rejections' burst once the pipe brought none for a while (the summary's row).
  void watch_burst();

  // The part of an over-long line already consumed: its first 64 KiB and its size.
  struct Overlong {
    std::string head;
    std::size_t bytes; // no initializer: clang needs none to emplace() it in the class; emplace() zeroes it
    void add(std::string_view part);
  };

  boost::asio::posix::stream_descriptor m_fifo;
  UniqueFd m_copy_read;
  UniqueFd m_copy_write;
  UniqueFd m_null;
  Recorder& m_recorder;
  std::shared_ptr<spdlog::logger> m_log;
  boost::asio::steady_timer m_retry;
  boost::asio::steady_timer m_burst_timer;
  std::string m_buffer;
  std::optional<Overlong> m_overlong; // inside an over-long line whose start was consumed
  std::size_t m_unchanged_size = 0;   // bytes left in the FIFO after the last round...
  std::chrono::steady_clock::time_point m_unchanged_since; // ...and since when
  bool m_burst_watched = false;
  bool m_stopped = false;
};

} // namespace eventmgr::daemon
