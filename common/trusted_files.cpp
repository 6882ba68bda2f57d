// SPDX-License-Identifier: MIT
#include "common/trusted_files.hpp"

#include "common/text.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

namespace eventmgr {
namespace fs = std::filesystem;

namespace {

constexpr mode_t k_lock_mode = 0640;
constexpr mode_t k_fifo_mode = 0620;
constexpr mode_t k_pickup_mode = 01730;

// `path` as one shell word in a command to copy: quoted when it holds more than safe characters.
std::string word(const fs::path& path) {
  const std::string text = path.string();
  bool safe = !text.empty();
  for (char c : text) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::strchr("/._-+:@%,=", c) != nullptr;
    safe = safe && plain;
  }
  if (safe) {
    return text;
  }
  std::string quoted = "'";
  for (char c : text) {
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return escape_control(quoted + "'");
}

std::string user_name(uid_t uid) {
  std::vector<char> buffer(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return "";
  }
  return pw.pw_name;
}

std::string group_name(gid_t gid) {
  std::vector<char> buffer(16384);
  group gr{};
  group* found = nullptr;
  if (getgrgid_r(gid, &gr, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::to_string(gid);
  }
  return gr.gr_name;
}

// "uid 1003 (otheruser)", "uid 1003" when no user has it.
std::string owner_text(uid_t uid) {
  const std::string name = user_name(uid);
  return "uid " + std::to_string(uid) + (name.empty() ? "" : " (" + escape_control(name) + ")");
}

// What to chown a file to: root, or the daemon's user when it does not run as root.
std::string daemon_user() {
  const uid_t me = geteuid();
  const std::string name = me == 0 ? "root" : user_name(me);
  return name.empty() ? std::to_string(me) : escape_control(name);
}

bool trusted_owner(uid_t uid) {
  return uid == 0 || uid == geteuid();
}

bool trusted_group(gid_t gid, gid_t pipe_group) {
  return gid == pipe_group || gid == 0 || gid == getegid();
}

mode_t permissions(const struct stat& st) {
  return st.st_mode & 07777;
}

std::string foreign_owner(const struct stat& st) {
  return "owned by " + owner_text(st.st_uid) + ", mode " + mode_text(st.st_mode);
}

std::string fifo_fix(FifoSource source, const std::string& path_fix, const std::string& unit_fix) {
  return source == FifoSource::path ? path_fix : "set " + unit_fix + " in eventmgrd.socket (systemd)";
}

} // namespace

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

Result<gid_t> resolve_pipe_group(const Config& config) {
  if (config.pipe_group.empty()) {
    return getegid();
  }
  std::vector<char> buffer(16384);
  group gr{};
  group* found = nullptr;
  int rc = getgrnam_r(config.pipe_group.c_str(), &gr, buffer.data(), buffer.size(), &found);
  if (rc != 0 || found == nullptr) {
    return make_error("unknown pipe_group '" + escape_control(config.pipe_group) + "' in the config");
  }
  return gr.gr_gid;
}

std::optional<std::string> private_problem(const struct stat& st, const fs::path& path) {
  const bool group_writable = (st.st_mode & S_IWGRP) != 0 && st.st_gid != getegid() && st.st_gid != 0;
  const bool writable = (st.st_mode & S_IWOTH) != 0 || group_writable;
  if (!trusted_owner(st.st_uid)) {
    return foreign_owner(st) + "; only root or the daemon's user may own it: chown " + daemon_user() + " " +
           word(path) + (writable ? " && chmod go-w " + word(path) : "");
  }
  if (writable) {
    return "writable by other users (mode " + mode_text(st.st_mode) + "): chmod go-w " + word(path);
  }
  return std::nullopt;
}

std::optional<std::string> state_dir_problem(const struct stat& st, const fs::path& path) {
  if (S_ISLNK(st.st_mode)) {
    return std::string("a symbolic link, not a directory: set state_dir to the directory itself");
  }
  if (!S_ISDIR(st.st_mode)) {
    return std::string("not a directory");
  }
  const bool writable = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
  if (!trusted_owner(st.st_uid)) {
    return foreign_owner(st) +
           "; only root or the daemon's user may own it: check what it holds, then chown " + daemon_user() +
           " " + word(path) + (writable ? " && chmod go-w " + word(path) : "");
  }
  if (writable) {
    return "writable by other users (mode " + mode_text(st.st_mode) +
           "), who may have planted files in it: check what it holds, then chmod go-w " + word(path);
  }
  return std::nullopt;
}

std::optional<std::string> parent_dir_problem(const struct stat& st, const fs::path& path) {
  if (!S_ISDIR(st.st_mode)) {
    return std::string("not a directory");
  }
  const bool open_to_all = (st.st_mode & S_IWOTH) != 0 && (st.st_mode & S_ISVTX) == 0;
  if (!trusted_owner(st.st_uid)) {
    return foreign_owner(st) + "; its owner may replace what it holds: chown " + daemon_user() + " " +
           word(path) + (open_to_all ? " && chmod o-w " + word(path) : "");
  }
  if (open_to_all) {
    return "writable by every user without the sticky bit (mode " + mode_text(st.st_mode) + "): chmod o-w " +
           word(path);
  }
  return std::nullopt;
}

std::optional<std::string> lock_file_problem(const struct stat& st, const fs::path& path) {
  const std::string renew = ": rm " + word(path) + " (eventmgrd makes a new one)";
  if (S_ISLNK(st.st_mode)) {
    return "a symbolic link, which the lock never follows" + renew;
  }
  if (!S_ISREG(st.st_mode)) {
    return "not a regular file" + renew;
  }
  if (!trusted_owner(st.st_uid)) {
    return foreign_owner(st) + ", not root or the daemon's user" + renew;
  }
  if (st.st_nlink != 1) {
    return "has " + std::to_string(st.st_nlink) + " hard links, not one" + renew;
  }
  if ((permissions(st) & ~k_lock_mode) != 0) {
    return "mode " + mode_text(st.st_mode) + ", wider than " + mode_text(k_lock_mode) + ": chmod " +
           mode_text(k_lock_mode) + " " + word(path);
  }
  return std::nullopt;
}

std::optional<std::string> fifo_problem(const struct stat& st, const fs::path& path, gid_t pipe_group,
                                        FifoSource source) {
  const std::string group = escape_control(group_name(pipe_group));
  if (!S_ISFIFO(st.st_mode)) {
    return fifo_fix(source, "not a FIFO; remove it or set another `pipe` path", "ListenFIFO=");
  }
  if (!trusted_owner(st.st_uid)) {
    return foreign_owner(st) + "; its owner may hold it open and read the panel's records: " +
           fifo_fix(source,
                    "rm " + word(path) + ", and eventmgrd makes a new one (mode 0620, group " + group + ")",
                    "SocketUser=" + daemon_user());
  }
  if ((permissions(st) & ~k_fifo_mode) != 0) {
    return "mode " + mode_text(st.st_mode) + ", expected 0620 (the panel's group may write, not read): " +
           fifo_fix(source, "chmod 0620 " + word(path), "SocketMode=0620");
  }
  if ((st.st_mode & S_IWGRP) != 0 && !trusted_group(st.st_gid, pipe_group)) {
    return "group " + escape_control(group_name(st.st_gid)) + " may write to it, not the pipe group " +
           group + ": " + fifo_fix(source, "chown :" + group + " " + word(path), "SocketGroup=" + group);
  }
  return std::nullopt;
}

std::optional<std::string> pickup_dir_problem(const struct stat& st, const fs::path& path, gid_t pipe_group) {
  const std::string group = escape_control(group_name(pipe_group));
  if (S_ISLNK(st.st_mode)) {
    return std::string("a symbolic link, not a directory: set pickup_dir to the directory itself");
  }
  if (!S_ISDIR(st.st_mode)) {
    return std::string("not a directory");
  }
  if (!trusted_owner(st.st_uid)) {
    return foreign_owner(st) +
           "; its owner may read and remove the panel's files: check what it holds, rm -r " + word(path) +
           ", and eventmgrd makes a new one (mode 1730, group " + group + ")";
  }
  const bool group_writable = (st.st_mode & S_IWGRP) != 0;
  if ((permissions(st) & ~k_pickup_mode) != 0 || (group_writable && (st.st_mode & S_ISVTX) == 0)) {
    return "mode " + mode_text(st.st_mode) +
           ", expected 1730 (the panel's group may add files, not list or remove them): chmod 1730 " +
           word(path);
  }
  if (group_writable && !trusted_group(st.st_gid, pipe_group)) {
    return "group " + escape_control(group_name(st.st_gid)) + " may add files, not the pipe group " + group +
           ": chown :" + group + " " + word(path);
  }
  return std::nullopt;
}

std::optional<std::string> log_file_problem(const struct stat& st, const fs::path& path) {
  if (S_ISLNK(st.st_mode)) {
    return "a symbolic link, which eventmgrd does not follow: rm " + word(path) +
           ", or set log_file to the file itself";
  }
  if (!S_ISREG(st.st_mode)) {
    return std::string("not a regular file: set log_file to another path");
  }
  if (!trusted_owner(st.st_uid)) {
    return foreign_owner(st) + ", not root or the daemon's user: check it, then chown " + daemon_user() +
           " " + word(path) + " && chmod 0640 " + word(path);
  }
  if (st.st_nlink != 1) {
    return "has " + std::to_string(st.st_nlink) + " hard links, not one: remove the other names, or rm " +
           word(path);
  }
  return std::nullopt;
}

std::string FileProblem::refusal() const {
  return "refusing " + what + " " + escape_control(path.string()) + ": " + reason;
}

std::vector<FileProblem> file_problems(const Config& config, gid_t pipe_group, const fs::path& run_ledger) {
  std::vector<FileProblem> problems;
  // Checks `path` with stat (or lstat) and `rule`; a path that does not exist is no problem.
  auto check = [&](const std::string& what, const fs::path& path, bool follow, auto rule) {
    struct stat st{};
    if ((follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0) {
      if (errno != ENOENT) {
        problems.push_back({what, path, std::string("cannot check: ") + std::strerror(errno)});
      }
      return;
    }
    if (auto problem = rule(st, path)) {
      problems.push_back({what, path, std::move(*problem)});
    }
  };
  if (!config.config_file.empty()) {
    check("config", config.config_file, true, private_problem);
  }
  // The dirs above the state dir, and above what lives outside it: whoever may replace one of
  // them may replace what it holds.
  std::set<fs::path> above;
  auto add_above = [&](const fs::path& path) {
    for (fs::path dir = path.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      above.insert(dir);
      if (dir == dir.root_path()) {
        break;
      }
    }
  };
  add_above(config.state_dir);
  for (const fs::path& path : {config.database, config.pipe, config.pickup_dir, config.log_file}) {
    if (!path.empty() && path.parent_path() != config.state_dir) {
      add_above(path);
    }
  }
  for (const auto& dir : above) {
    check("directory", dir, true, parent_dir_problem);
  }
  check("state dir", config.state_dir, false, state_dir_problem);
  check("lock file", config.state_dir / "eventmgrd.lock", false, lock_file_problem);
  check("database", config.database, true, private_problem);
  check("run ledger", run_ledger, true, private_problem);
  check("pipe", config.pipe, false, [&](const struct stat& st, const fs::path& path) {
    return fifo_problem(st, path, pipe_group, FifoSource::path);
  });
  check("pickup dir", config.pickup_dir, false, [&](const struct stat& st, const fs::path& path) {
    return pickup_dir_problem(st, path, pipe_group);
  });
  if (!config.log_file.empty()) {
    check("log file", config.log_file, false, log_file_problem);
  }
  return problems;
}

Result<void> create_parent_dirs(const fs::path& path, mode_t mode) {
  std::vector<fs::path> missing;
  for (fs::path dir = path.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    struct stat st{};
    if (::stat(dir.c_str(), &st) == 0 || dir == dir.root_path()) {
      break;
    }
    missing.push_back(dir);
  }
  for (auto dir = missing.rbegin(); dir != missing.rend(); ++dir) {
    if (::mkdir(dir->c_str(), mode) != 0) {
      if (errno == EEXIST) {
        continue;
      }
      return make_error("cannot create directory " + escape_control(dir->string()) + ": " +
                        std::strerror(errno));
    }
    // mkdir applied the umask.
    if (::chmod(dir->c_str(), mode) != 0) {
      return make_error("cannot set the mode of directory " + escape_control(dir->string()) + ": " +
                        std::strerror(errno));
    }
  }
  return {};
}

} // namespace eventmgr
