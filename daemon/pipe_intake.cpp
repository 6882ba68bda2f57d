// SPDX-License-Identifier: MIT
#include "daemon/pipe_intake.hpp"

#include "common/sqlite.hpp"

#include <boost/asio/post.hpp>
#include "events/record.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

namespace eventmgr::daemon {
namespace {

// Large pipes let a burst of writers go on while a commit runs (the group commit's batch).
constexpr int k_pipe_size = 1 << 20;

} // namespace

PipeIntake::PipeIntake(boost::asio::io_context& io, UniqueFd fifo_fd, Recorder& recorder,
                       std::shared_ptr<spdlog::logger> log)
  : m_fifo(io, fifo_fd.release()), m_recorder(recorder), m_log(std::move(log)), m_retry(io) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error(std::string("cannot create the intake's private pipe: ") + std::strerror(errno));
  }
  m_copy_read.reset(fds[0]);
  m_copy_write.reset(fds[1]);
  // Best effort: the default 64 KiB works too, in smaller rounds.
  fcntl(m_fifo.native_handle(), F_SETPIPE_SZ, k_pipe_size);
  fcntl(m_copy_write.get(), F_SETPIPE_SZ, k_pipe_size);
  m_null.reset(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  m_buffer.reserve(k_pipe_size);
}

void PipeIntake::start() {
  // Records written while the daemon was down (or left by a killed daemon) are read first.
  on_readable();
}

void PipeIntake::stop() {
  m_stopped = true;
  m_retry.cancel();
  boost::system::error_code ignored;
  m_fifo.cancel(ignored);
}

void PipeIntake::wait() {
  if (m_stopped) {
    return;
  }
  m_fifo.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
    if (ec) {
      if (ec != boost::asio::error::operation_aborted) {
        m_log->error("waiting on the pipe failed: {}", ec.message());
      }
      return;
    }
    on_readable();
  });
}

void PipeIntake::on_readable() {
  if (m_stopped) {
    return;
  }
  // Copy what the FIFO holds without consuming it.
  ssize_t copied = tee(m_fifo.native_handle(), m_copy_write.get(), k_pipe_size, SPLICE_F_NONBLOCK);
  if (copied <= 0) {
    if (copied < 0 && errno != EAGAIN) {
      m_log->error("cannot copy from the pipe: {}", std::strerror(errno));
    }
    wait();
    return;
  }
  m_buffer.resize(static_cast<std::size_t>(copied));
  std::size_t have = 0;
  while (have < m_buffer.size()) {
    ssize_t n = ::read(m_copy_read.get(), m_buffer.data() + have, m_buffer.size() - have);
    if (n <= 0) {
      break;
    }
    have += static_cast<std::size_t>(n);
  }
  m_buffer.resize(have);

  std::size_t done = process(m_buffer);
  try {
    m_recorder.commit();
  } catch (const sqlite::Failure& failure) {
    // Nothing was consumed: the same records are read again after a pause.
    m_log->error("cannot journal records from the pipe: {}; retrying", failure.what());
    done = 0;
  }
  consume(done);

  if (done == 0) {
    // Only part of a record is there (a writer mid-write, or one that died): look again
    // shortly rather than spin on a descriptor that stays readable.
    m_retry.expires_after(std::chrono::milliseconds(20));
    m_retry.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) {
        on_readable();
      }
    });
    return;
  }
  // More may have arrived during the commit; the reactor reports it if so.
  boost::asio::post(m_fifo.get_executor(), [this] { on_readable(); });
}

std::size_t PipeIntake::process(std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    std::string_view rest = data.substr(done);
    std::size_t newline = rest.find('\n');
    if (m_skipping) {
      if (newline == std::string_view::npos) {
        return data.size(); // still inside the over-long line: drop it all
      }
      m_skipping = false;
      done += newline + 1;
      continue;
    }
    if (newline == std::string_view::npos) {
      if (rest.size() > events::k_max_pipe_record) {
        m_recorder.reject(rest.substr(0, events::k_max_value),
                          "record longer than 4096 bytes; send big records through the pickup directory",
                          "pipe");
        m_skipping = true;
        return data.size();
      }
      break; // an incomplete record: wait for its end
    }
    std::string_view line = rest.substr(0, newline);
    if (line.size() + 1 > events::k_max_pipe_record) {
      m_recorder.reject(line.substr(0, events::k_max_value),
                        "record longer than 4096 bytes; send big records through the pickup directory", "pipe");
    } else if (!line.empty()) {
      m_recorder.add(line, "pipe");
    }
    done += newline + 1;
  }
  return done;
}

void PipeIntake::consume(std::size_t count) {
  while (count > 0) {
    ssize_t n = splice(m_fifo.native_handle(), nullptr, m_null.get(), nullptr, count, SPLICE_F_NONBLOCK);
    if (n <= 0) {
      m_log->error("cannot consume {} journaled bytes from the pipe: {}", count,
                   n == 0 ? "end of file" : std::strerror(errno));
      return;
    }
    count -= static_cast<std::size_t>(n);
  }
}

} // namespace eventmgr::daemon
