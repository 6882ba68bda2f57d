// SPDX-License-Identifier: MIT
#include "daemon/pickup_intake.hpp"

#include "common/sqlite.hpp"
#include "common/text.hpp"
#include "common/users.hpp"
#include "events/record.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace eventmgr::daemon {
namespace fs = std::filesystem;

namespace {

bool is_record_file(const fs::path& path) {
  std::string name = path.filename().string();
  return !name.empty() && name[0] != '.' && path.extension() == ".json";
}

// An entry's name as a message or a rejected record shows it: the writer chose it.
std::string shown(const fs::path& file) {
  return escape_for_message(file.filename().string());
}

std::string type_of(mode_t mode) {
  switch (mode & S_IFMT) {
  case S_IFDIR:
    return "a directory";
  case S_IFLNK:
    return "a symbolic link";
  case S_IFSOCK:
    return "a socket";
  case S_IFIFO:
    return "a FIFO";
  case S_IFCHR:
  case S_IFBLK:
    return "a device";
  default:
    return "of type " + std::to_string(mode & S_IFMT);
  }
}

std::string group_name(gid_t gid) {
  std::vector<char> buffer(16384);
  group gr{};
  group* found = nullptr;
  if (getgrgid_r(gid, &gr, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return escape_for_message(gr.gr_name);
  }
  return "gid " + std::to_string(gid);
}

// Tells an entry kept after its rejection from a new one that reuses its inode number.
std::tuple<dev_t, ino_t, mode_t, std::int64_t> identity(const struct stat& st) {
  return {st.st_dev, st.st_ino, static_cast<mode_t>(st.st_mode & S_IFMT),
          std::int64_t{st.st_ctim.tv_sec} * 1'000'000'000 + st.st_ctim.tv_nsec};
}

// Failures of open() that may pass: the file is tried again at the next scan.
bool passing(int error) {
  return error == EMFILE || error == ENFILE || error == ENOMEM || error == EINTR || error == EWOULDBLOCK;
}

} // namespace

PickupIntake::PickupIntake(boost::asio::io_context& io, fs::path dir, Recorder& recorder,
                           ReceiptWriter& receipts, gid_t writers, std::shared_ptr<spdlog::logger> log)
    : m_dir(std::move(dir)), m_recorder(recorder), m_receipts(receipts), m_writers(writers), m_log(std::move(log)),
      m_inotify(io),
      m_retry(io) {}

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
  // Refused entries of this scan share a burst: its summary row (past the cap) is written now.
  m_recorder.end_burst("pickup");
  if (!m_recorder.empty()) {
    try {
      m_recorder.commit();
    } catch (const sqlite::Failure& failure) {
      m_log->error("cannot journal the summary of refused pickup entries: {}", failure.what());
    }
  }
  return taken;
}

bool PickupIntake::take(const fs::path& file) {
  // O_NOFOLLOW: a symbolic link is not followed (ELOOP); O_NONBLOCK: a FIFO does not block.
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  struct stat st {};
  if (!fd) {
    int error = errno;
    if (error == ENOENT) {
      return true;
    }
    if (::lstat(file.c_str(), &st) != 0 || passing(error)) {
      if (errno != ENOENT) {
        m_log->error("cannot open pickup file {}/{}: {}", m_dir.string(), shown(file), std::strerror(error));
      }
      return true;
    }
    if (S_ISREG(st.st_mode)) {
      return refuse(file, st, "pickup file " + shown(file) + " cannot be read: " + std::strerror(error));
    }
    return refuse(file, st,
                  "pickup entry " + shown(file) + " is " + type_of(st.st_mode) + ", not a regular file");
  }
  if (fstat(fd.get(), &st) != 0) {
    m_log->error("cannot read pickup file {}/{}: {}", m_dir.string(), shown(file), std::strerror(errno));
    return true;
  }
  if (!S_ISREG(st.st_mode)) {
    return refuse(file, st,
                  "pickup entry " + shown(file) + " is " + type_of(st.st_mode) + ", not a regular file");
  }
  // A second link may be a hard link to a file its writer cannot read (fs.protected_hardlinks=0).
  if (st.st_nlink != 1) {
    return refuse(file, st,
                  "pickup file " + shown(file) + " has " + std::to_string(st.st_nlink) +
                      " links; only a file with one link is read");
  }
  if (std::string problem = owner_problem(st.st_uid); !problem.empty()) {
    return refuse(file, st, "pickup file " + shown(file) + " " + problem);
  }
  const std::string name = file.filename().string();
  const bool receipt = events::wants_receipt(name);
  if (receipt) {
    m_recorder.keep_outcomes();
  }
  std::string via = "pickup";
  if (static_cast<std::size_t>(st.st_size) > events::k_max_pickup_file) {
    std::string head(events::k_max_value, '\0');
    ssize_t n = ::read(fd.get(), head.data(), head.size());
    head.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    m_recorder.reject(head,
                      "pickup file " + shown(file) + " is " + std::to_string(st.st_size) +
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
  std::vector<events::ReceiptEntry> outcomes;
  try {
    outcomes = m_recorder.commit();
  } catch (const sqlite::Failure& failure) {
    m_log->error("cannot journal pickup file {}/{}: {}; will retry", m_dir.string(), shown(file),
                 failure.what());
    return false;
  }
  // Before the unlink: a submitter that sees its file gone finds the receipt.
  if (receipt) {
    if (auto written = m_receipts.write(name, outcomes); !written) {
      m_log->error("cannot write the receipt of pickup file {}: {}", escape_for_message(name),
                   escape_control(written.error().message));
    }
  }
  if (::unlink(file.c_str()) != 0 && errno != ENOENT) {
    m_log->error("cannot remove journaled pickup file {}/{}: {}", m_dir.string(), shown(file),
                 std::strerror(errno));
  }
  return true;
}

bool PickupIntake::refuse(const fs::path& file, const struct stat& st, const std::string& reason) {
  if (m_kept.count(identity(st)) > 0) {
    return true;
  }
  // The name only: the content of a file the writer may not have been able to read stays unread.
  m_recorder.reject(shown(file), reason, "pickup");
  try {
    m_recorder.commit();
  } catch (const sqlite::Failure& failure) {
    m_log->error("cannot journal the rejection of pickup entry {}/{}: {}; will retry", m_dir.string(),
                 shown(file), failure.what());
    return false;
  }
  // A submitter waiting for a receipt learns why, as for a rejected record.
  if (const std::string name = file.filename().string(); S_ISREG(st.st_mode) && events::wants_receipt(name)) {
    std::vector<events::ReceiptEntry> outcome{{events::ReceiptEntry::Outcome::rejected, "", 0, reason}};
    if (auto written = m_receipts.write(name, outcome); !written) {
      m_log->error("cannot write the receipt of pickup file {}: {}", escape_for_message(name),
                   escape_control(written.error().message));
    }
  }
  remove_refused(file, st);
  return true;
}

void PickupIntake::remove_refused(const fs::path& file, const struct stat& st) {
  // unlink and rmdir never follow the entry: a symbolic link goes, its target stays.
  if (S_ISDIR(st.st_mode) ? ::rmdir(file.c_str()) == 0 : ::unlink(file.c_str()) == 0) {
    return;
  }
  int error = errno;
  if (error == ENOENT) {
    return;
  }
  if (S_ISDIR(st.st_mode) && (error == ENOTEMPTY || error == EEXIST)) {
    // What the directory holds is not the daemon's to delete: it is set aside under a dot
    // name, which scans skip, in the same directory (no path the writers could redirect).
    std::string aside = ".rejected-" + std::to_string(st.st_ino);
    if (::renameat2(AT_FDCWD, file.c_str(), AT_FDCWD, (m_dir / aside).c_str(), RENAME_NOREPLACE) == 0) {
      m_log->warn("pickup directory {} is not empty: renamed to {}/{}", shown(file), m_dir.string(), aside);
      return;
    }
    error = errno;
  }
  m_log->error("cannot remove refused pickup entry {}/{}: {}; it stays, ignored", m_dir.string(), shown(file),
               std::strerror(error));
  m_kept.insert(identity(st));
}

std::string PickupIntake::owner_problem(uid_t uid) const {
  if (uid == 0 || uid == geteuid()) {
    return {};
  }
  // Looked up for each file: group changes apply at once, and a pickup file costs an fsync anyway.
  auto user = lookup_user(uid);
  if (user && (user->gid == m_writers ||
               std::find(user->groups.begin(), user->groups.end(), m_writers) != user->groups.end())) {
    return {};
  }
  return "is owned by uid " + std::to_string(uid) +
         ", who is neither root, the daemon's user nor a member of group " + group_name(m_writers);
}

} // namespace eventmgr::daemon
