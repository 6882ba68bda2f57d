// SPDX-License-Identifier: MIT
#include "daemon/startup.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace eventmgr::daemon {
namespace fs = std::filesystem;

namespace {

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

Result<void> make_dir(const fs::path& path, mode_t mode, gid_t group, const char* what) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return make_error(std::string("cannot use ") + what + " " + path.string() + ": not a directory");
    }
    return {};
  }
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return make_error(std::string("cannot create ") + what + " " + path.string() + ": " + std::strerror(errno));
  }
  // mkdir applies the umask; set the exact mode (and the sticky/group bits) explicitly.
  if (::chown(path.c_str(), static_cast<uid_t>(-1), group) != 0 || ::chmod(path.c_str(), mode) != 0) {
    return make_error(std::string("cannot set mode of ") + what + " " + path.string() + ": " + std::strerror(errno));
  }
  return {};
}

} // namespace

Result<gid_t> resolve_pipe_group(const Config& config) {
  if (config.pipe_group.empty()) {
    return getegid();
  }
  std::vector<char> buffer(16384);
  group gr{};
  group* found = nullptr;
  int rc = getgrnam_r(config.pipe_group.c_str(), &gr, buffer.data(), buffer.size(), &found);
  if (rc != 0 || found == nullptr) {
    return make_error("unknown pipe_group '" + config.pipe_group + "' in the config");
  }
  return gr.gr_gid;
}

Result<void> prepare_directories(const Config& config, gid_t group) {
  // The pipe group may traverse the state dir to reach the pipe and the pickup dir.
  if (auto made = make_dir(config.state_dir, 0750, group, "state dir"); !made) {
    return made;
  }
  return make_dir(config.pickup_dir, 01730, group, "pickup dir");
}

Result<void> check_private(const fs::path& path, const char* what) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return {};
    }
    return make_error(std::string("cannot check ") + what + " " + path.string() + ": " + std::strerror(errno));
  }
  uid_t me = geteuid();
  bool other_owner = st.st_uid != me && st.st_uid != 0;
  bool world_writable = (st.st_mode & S_IWOTH) != 0;
  bool group_writable = (st.st_mode & S_IWGRP) != 0 && st.st_gid != getegid() && st.st_gid != 0;
  if (world_writable || group_writable || other_owner) {
    std::string why = other_owner ? "owned by uid " + std::to_string(st.st_uid)
                                  : "writable by other users (mode " + mode_text(st.st_mode) + ")";
    return make_error(std::string("refusing ") + what + " " + path.string() + ": " + why +
                      "; make it writable only by its owner, e.g. chmod go-w " + path.string());
  }
  return {};
}

Result<UniqueFd> open_fifo(const Config& config, gid_t group) {
  // systemd's socket activation: LISTEN_PID is us and fd 3 is the FIFO of ListenFIFO=.
  const char* listen_pid = std::getenv("LISTEN_PID");
  const char* listen_fds = std::getenv("LISTEN_FDS");
  if (listen_pid != nullptr && listen_fds != nullptr && std::atol(listen_pid) == static_cast<long>(getpid()) &&
      std::atoi(listen_fds) >= 1) {
    struct stat st{};
    if (fstat(3, &st) == 0 && S_ISFIFO(st.st_mode)) {
      int flags = fcntl(3, F_GETFL);
      fcntl(3, F_SETFL, flags | O_NONBLOCK);
      fcntl(3, F_SETFD, FD_CLOEXEC);
      unsetenv("LISTEN_PID");
      unsetenv("LISTEN_FDS");
      unsetenv("LISTEN_FDNAMES");
      return UniqueFd(3);
    }
  }
  const fs::path& path = config.pipe;
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISFIFO(st.st_mode)) {
      return make_error("cannot open pipe " + path.string() + ": not a FIFO; remove it or set another `pipe` path");
    }
  } else {
    if (::mkfifo(path.c_str(), 0620) != 0) {
      return make_error("cannot create pipe " + path.string() + ": " + std::strerror(errno));
    }
    if (::chown(path.c_str(), static_cast<uid_t>(-1), group) != 0 || ::chmod(path.c_str(), 0620) != 0) {
      return make_error("cannot set owner and mode of pipe " + path.string() + ": " + std::strerror(errno));
    }
  }
  int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return make_error("cannot open pipe " + path.string() + ": " + std::strerror(errno));
  }
  return UniqueFd(fd);
}

} // namespace eventmgr::daemon
