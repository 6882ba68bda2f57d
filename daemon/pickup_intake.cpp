// SPDX-License-Identifier: MIT
#include "daemon/pickup_intake.hpp"

#include "common/sqlite.hpp"
#include "events/record.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace eventmgr::daemon {
namespace fs = std::filesystem;

namespace {

bool is_record_file(const fs::path& path) {
  std::string name = path.filename().string();
  return !name.empty() && name[0] != '.' && path.extension() == ".json";
}

} // namespace

PickupIntake::PickupIntake(boost::asio::io_context& io, fs::path dir, Recorder& recorder,
                           std::shared_ptr<spdlog::logger> log)
  : m_dir(std::move(dir)), m_recorder(recorder), m_log(std::move(log)), m_inotify(io), m_retry(io) {}

void PickupIntake::start() {
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error("cannot watch pickup directory " + m_dir.string() + ": " + std::strerror(errno));
  }
  if (inotify_add_watch(fd, m_dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
    int error = errno;
    ::close(fd);
    throw std::runtime_error("cannot watch pickup directory " + m_dir.string() + ": " + std::strerror(error));
  }
  m_inotify.assign(fd);
  // Files that arrived while the daemon was down.
  scan();
  wait();
}

void PickupIntake::stop() {
  m_stopped = true;
  m_retry.cancel();
  boost::system::error_code ignored;
  m_inotify.cancel(ignored);
}

void PickupIntake::wait() {
  if (m_stopped) {
    return;
  }
  m_inotify.async_read_some(boost::asio::buffer(m_events), [this](const boost::system::error_code& ec, std::size_t) {
    if (ec) {
      if (ec != boost::asio::error::operation_aborted) {
        m_log->error("watching pickup directory {} failed: {}", m_dir.string(), ec.message());
      }
      return;
    }
    // The events only say "something arrived": a scan takes every complete file, in name order.
    scan();
    wait();
  });
}

std::size_t PickupIntake::scan() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
    if (is_record_file(entry.path())) {
      files.push_back(entry.path());
    }
  }
  if (ec) {
    m_log->error("cannot list pickup directory {}: {}", m_dir.string(), ec.message());
    return 0;
  }
  std::sort(files.begin(), files.end());
  std::size_t taken = 0;
  for (const auto& file : files) {
    if (!take(file)) {
      // Storage trouble: try the remaining files again in a second.
      m_retry.expires_after(std::chrono::seconds(1));
      m_retry.async_wait([this](const boost::system::error_code& error) {
        if (!error) {
          scan();
        }
      });
      break;
    }
    ++taken;
  }
  return taken;
}

bool PickupIntake::take(const fs::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd) {
    if (errno != ENOENT) {
      m_log->error("cannot open pickup file {}: {}", file.string(), std::strerror(errno));
    }
    return true;
  }
  struct stat st{};
  std::string via = "pickup";
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    m_recorder.reject(file.filename().string(), "pickup entry " + file.filename().string() + " is not a regular file",
                      via);
  } else if (static_cast<std::size_t>(st.st_size) > events::k_max_pickup_file) {
    std::string head(events::k_max_value, '\0');
    ssize_t n = ::read(fd.get(), head.data(), head.size());
    head.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    m_recorder.reject(head,
                      "pickup file " + file.filename().string() + " is " + std::to_string(st.st_size) +
                        " bytes; the limit is 1048576",
                      via);
  } else {
    std::string content(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t have = 0;
    while (have < content.size()) {
      ssize_t n = ::read(fd.get(), content.data() + have, content.size() - have);
      if (n <= 0) {
        break;
      }
      have += static_cast<std::size_t>(n);
    }
    content.resize(have);
    std::string_view rest(content);
    while (!rest.empty()) {
      std::size_t newline = rest.find('\n');
      std::string_view line = rest.substr(0, newline);
      if (!line.empty()) {
        m_recorder.add(line, via);
      }
      rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    }
  }
  m_recorder.end_burst(via); // at most k_burst_rows rejected rows per file, then one summary
  try {
    m_recorder.commit();
  } catch (const sqlite::Failure& failure) {
    m_log->error("cannot journal pickup file {}: {}; will retry", file.string(), failure.what());
    return false;
  }
  if (::unlink(file.c_str()) != 0 && errno != ENOENT) {
    m_log->error("cannot remove journaled pickup file {}: {}", file.string(), std::strerror(errno));
  }
  return true;
}

} // namespace eventmgr::daemon
