// SPDX-License-Identifier: MIT
#include "daemon/panel_writer.hpp"

#include "common/clock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace eventmgr::daemon {
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t k_receipt_keep_ms = 10 * 60 * 1000;

std::int64_t mtime_ms(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

// Writes `text` into a new file beside `path` (mode 0600 until it is complete, so nobody else
// opens it early), locks it when `lock`, gives it mode 0640 and group `group`, and renames it
// to `path`. Returns its descriptor.
Result<UniqueFd> replace_file(const fs::path& path, std::string_view text, gid_t group, bool lock) {
  // One name for every file: only the daemon writes these directories, one file at a time, and a
  // receipt's name (a pickup file's, up to NAME_MAX) leaves no room for more.
  fs::path temp = path.parent_path() / ".writing.tmp";
  ::unlink(temp.c_str()); // left by a crash
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) {
    return make_error("cannot create " + temp.string() + ": " + std::strerror(errno));
  }
  auto fail = [&](const std::string& what) {
    int error = errno;
    ::unlink(temp.c_str());
    return make_error("cannot " + what + " " + temp.string() + ": " + std::strerror(error));
  };
  if (lock && ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    return fail("lock");
  }
  for (std::size_t done = 0; done < text.size();) {
    ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n <= 0) {
      return fail("write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchown(fd.get(), static_cast<uid_t>(-1), group) != 0 || ::fchmod(fd.get(), 0640) != 0) {
    return fail("set the owner and mode of");
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return fail("rename " + path.string() + " from");
  }
  return fd;
}

} // namespace

StatusFileWriter::StatusFileWriter(fs::path path, gid_t group) : m_path(std::move(path)), m_group(group) {}

Result<void> StatusFileWriter::update(const events::DaemonStatus& status) {
  std::string text = events::to_json(status);
  if (m_locked && text == m_written) {
    return {};
  }
  auto written = replace_file(m_path, text, m_group, true);
  if (!written) {
    return written.error();
  }
  // The new file is at the path and locked: the old one may go.
  m_locked = std::move(written.value());
  m_written = std::move(text);
  return {};
}

std::pair<std::int64_t, std::optional<std::int64_t>> count_pickup_files(const fs::path& dir) {
  std::int64_t files = 0;
  std::optional<std::int64_t> oldest;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    struct stat st {};
    if (name.empty() || name[0] == '.' || entry.path().extension() != ".json" ||
        ::lstat(entry.path().c_str(), &st) != 0) {
      continue;
    }
    ++files;
    oldest = std::min(oldest.value_or(mtime_ms(st)), mtime_ms(st));
  }
  return {files, oldest};
}

ReceiptWriter::ReceiptWriter(fs::path dir, gid_t group) : m_dir(std::move(dir)), m_group(group) {}

Result<void> ReceiptWriter::prepare() {
  struct stat st {};
  if (::lstat(m_dir.c_str(), &st) != 0) {
    if (::mkdir(m_dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return make_error("cannot create receipts dir " + m_dir.string() + ": " + std::strerror(errno));
    }
  } else if (!S_ISDIR(st.st_mode)) {
    return make_error("cannot use receipts dir " + m_dir.string() + ": not a directory");
  }
  if (::chown(m_dir.c_str(), geteuid(), m_group) != 0 || ::chmod(m_dir.c_str(), 0710) != 0) {
    return make_error("cannot set the owner and mode of receipts dir " + m_dir.string() + ": " +
                      std::strerror(errno));
  }
  // Receipts of an earlier run: those young enough may still be awaited.
  std::int64_t now = now_ms();
  std::vector<std::pair<std::int64_t, std::string>> kept;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
    struct stat file {};
    if (::lstat(entry.path().c_str(), &file) == 0 && S_ISREG(file.st_mode) &&
        now - mtime_ms(file) < k_receipt_keep_ms && entry.path().filename().string()[0] != '.') {
      kept.emplace_back(mtime_ms(file), entry.path().filename().string());
    } else {
      fs::remove(entry.path(), ec);
    }
  }
  std::sort(kept.begin(), kept.end());
  m_written.assign(kept.begin(), kept.end());
  return {};
}

Result<void> ReceiptWriter::write(std::string_view name, std::span<const events::ReceiptEntry> entries) {
  auto written = replace_file(m_dir / name, events::receipt_to_json(entries), m_group, false);
  if (!written) {
    return written.error();
  }
  m_written.emplace_back(now_ms(), std::string(name));
  return {};
}

void ReceiptWriter::expire(std::int64_t now) {
  while (!m_written.empty() && now - m_written.front().first >= k_receipt_keep_ms) {
    ::unlink((m_dir / m_written.front().second).c_str());
    m_written.pop_front();
  }
}

} // namespace eventmgr::daemon
