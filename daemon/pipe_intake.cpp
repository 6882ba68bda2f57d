// SPDX-License-Identifier: MIT
#include "daemon/pipe_intake.hpp"

#include "common/clock.hpp"
#include "common/sqlite.hpp"
#include "daemon/pipe_framing.hpp"
#include "events/record.hpp"

#include <boost/asio/post.hpp>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace eventmgr::daemon {
namespace {

// Large pipes let a burst of writers go on while a commit runs (the group commit's batch).
constexpr int k_pipe_size = 1 << 20;
// Bytes without a newline that stay unchanged this long are taken as they are: a record of at
// most 4096 bytes arrives in one write, so what waits this long is a whole record without its
// newline or a fragment whose writer stopped.
constexpr auto k_quiet = std::chrono::milliseconds(200);
// A burst of rejections ends after this long without one; its summary row is then written.
constexpr auto k_burst_quiet = std::chrono::seconds(1);
// The longest record text (without its newline) a writer may send.
constexpr std::size_t k_max_record_text = events::k_max_pipe_record - 1;
constexpr std::string_view k_via = "pipe";
constexpr std::string_view k_glued_reason =
    "incomplete record: not a JSON record of its own, cut off by the record after it on the same line, which "
    "was taken separately (a writer stopped mid-record or left out its newline)";
constexpr std::string_view k_quiet_reason =
    "incomplete record: no newline and no further bytes for 200 ms (a writer stopped mid-record)";

bool blank(std::string_view text) {
  return text.find_first_not_of(" \t\r") == std::string_view::npos;
}

} // namespace

void PipeIntake::Overlong::add(std::string_view part) {
  bytes += part.size();
  if (head.size() < events::k_max_rejected_raw) {
    head.append(part.substr(0, events::k_max_rejected_raw - head.size()));
  }
}

PipeIntake::PipeIntake(boost::asio::io_context& io, UniqueFd fifo_fd, Recorder& recorder,
                       std::shared_ptr<spdlog::logger> log)
    : m_fifo(io, fifo_fd.release()), m_recorder(recorder), m_log(std::move(log)), m_retry(io),
      m_burst_timer(io) {
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
  m_burst_timer.cancel();
  boost::system::error_code ignored;
  m_fifo.cancel(ignored);
  // What was consumed of an over-long line, and the burst's summary, are kept now; the bytes
  // still in the FIFO are read at the next start.
  if (m_overlong) {
    m_recorder.reject(m_overlong->head,
                      "record longer than 4096 bytes (" + std::to_string(m_overlong->bytes) +
                          " bytes read, the first " + std::to_string(m_overlong->head.size()) +
                          " kept, before the daemon stopped); send big records through the pickup directory",
                      k_via);
    m_overlong.reset();
  }
  m_recorder.end_burst(k_via);
  try {
    m_recorder.commit();
  } catch (const sqlite::Failure& failure) {
    m_log->error("cannot journal rejected records from the pipe at stop: {}", failure.what());
  }
}

void PipeIntake::wait() {
  if (m_stopped) {
    return;
  }
  m_fifo.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                    [this](const boost::system::error_code& ec) {
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
    m_unchanged_size = 0;
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

  const auto now = std::chrono::steady_clock::now();
  const bool quiet = m_buffer.size() == m_unchanged_size && now - m_unchanged_since >= k_quiet;
  std::optional<Overlong> overlong_before = m_overlong;
  std::size_t done = process(m_buffer, quiet);
  try {
    m_recorder.commit();
  } catch (const sqlite::Failure& failure) {
    // Nothing was consumed: the same records are read again after a pause.
    m_log->error("cannot journal records from the pipe: {}; retrying", failure.what());
    done = 0;
    m_overlong = std::move(overlong_before);
  }
  consume(done);
  if (done > 0 || m_buffer.size() - done != m_unchanged_size) {
    m_unchanged_size = m_buffer.size() - done;
    m_unchanged_since = now;
  }
  watch_burst();

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

std::size_t PipeIntake::process(std::string_view data, bool quiet) {
  std::size_t done = 0;
  while (done < data.size()) {
    std::string_view rest = data.substr(done);
    const std::size_t newline = rest.find('\n');
    if (newline == std::string_view::npos) {
      if (m_overlong || rest.size() > k_max_record_text) {
        if (!m_overlong) {
          m_overlong.emplace();
        }
        if (quiet) {
          finish_overlong(rest, k_quiet_reason);
          return data.size();
        }
        // Records a writer sent without newlines (each arrives whole) end the bytes so far.
        if (!split_line(rest).records.empty()) {
          finish_overlong(rest, k_glued_reason);
          return data.size();
        }
        // Consume all but the last bytes: a record whose newline the copy cut off may sit
        // there (records of at most 4096 bytes arrive whole).
        const std::size_t skip = rest.size() - std::min(rest.size(), k_max_record_text);
        m_overlong->add(rest.substr(0, skip));
        return done + skip;
      }
      if (quiet) {
        take_line(rest, k_quiet_reason);
        return data.size();
      }
      break; // an incomplete record: wait for its end, or for the quiet time
    }
    std::string_view line = rest.substr(0, newline);
    if (m_overlong || line.size() > k_max_record_text) {
      if (!m_overlong) {
        m_overlong.emplace();
      }
      finish_overlong(line, k_glued_reason);
    } else if (!line.empty()) {
      take_line(line, k_glued_reason);
    }
    done += newline + 1;
  }
  return done;
}

void PipeIntake::take_line(std::string_view line, std::string_view fragment_reason) {
  // The hot path: a line that is one valid record costs one parse, as it always did.
  auto reason = m_recorder.try_add(line, k_via);
  if (!reason) {
    return;
  }
  Framing framing = split_line(line);
  if (framing.records.empty() || (framing.records.size() == 1 && blank(framing.prefix))) {
    m_recorder.reject(line, *reason, k_via);
    return;
  }
  if (!blank(framing.prefix)) {
    m_recorder.reject(framing.prefix, fragment_reason, k_via);
  }
  for (std::string_view record : framing.records) {
    m_recorder.add(record, k_via);
  }
}

void PipeIntake::finish_overlong(std::string_view last, std::string_view fragment_reason) {
  Framing framing = split_line(last);
  m_overlong->add(framing.prefix);
  if (m_overlong->bytes > k_max_record_text) {
    m_recorder.reject(m_overlong->head,
                      "record longer than 4096 bytes (" + std::to_string(m_overlong->bytes) +
                          " bytes, the first " + std::to_string(m_overlong->head.size()) +
                          " kept); send big records through the pickup directory",
                      k_via);
  } else if (!blank(m_overlong->head)) {
    // Records glued without newlines made the line long, not the fragment in front of them.
    m_recorder.reject(m_overlong->head, fragment_reason, k_via);
  }
  m_overlong.reset();
  for (std::string_view record : framing.records) {
    m_recorder.add(record, k_via);
  }
}

void PipeIntake::watch_burst() {
  if (m_burst_watched || m_stopped || !m_recorder.burst_last_rejection(k_via)) {
    return;
  }
  m_burst_watched = true;
  m_burst_timer.expires_after(k_burst_quiet);
  m_burst_timer.async_wait([this](const boost::system::error_code& ec) {
    m_burst_watched = false;
    if (ec) {
      return;
    }
    auto last = m_recorder.burst_last_rejection(k_via);
    if (!last) {
      return;
    }
    if (now_ms() - *last < std::chrono::duration_cast<std::chrono::milliseconds>(k_burst_quiet).count()) {
      watch_burst();
      return;
    }
    m_recorder.end_burst(k_via);
    try {
      m_recorder.commit();
    } catch (const sqlite::Failure& failure) {
      // The summary stays queued; the next commit writes it.
      m_log->error("cannot journal the summary of rejected records from the pipe: {}", failure.what());
    }
  });
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
