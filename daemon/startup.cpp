// SPDX-License-Identifier: MIT
#include "daemon/startup.hpp"

#include "common/text.hpp"
#include "common/trusted_files.hpp"
#include "handlers/run_ledger.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace eventmgr::daemon {
namespace fs = std::filesystem;

namespace {

Result<void> make_dir(const fs::path& path, mode_t mode, gid_t group, const char* what) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return make_error(std::string("cannot use ") + what + " " + escape_control(path.string()) +
                        ": not a directory");
    }
    return {};
  }
  if (auto parents = create_parent_dirs(path, 0755); !parents) {
    return parents;
  }
  if (::mkdir(path.c_str(), mode) != 0) {
    // EEXIST too: whatever another process made there since the checks is not trusted.
    return make_error(std::string("cannot create ") + what + " " + escape_control(path.string()) + ": " +
                      std::strerror(errno));
  }
  // mkdir applies the umask; set the exact mode (and the sticky/group bits) explicitly.
  if (::chown(path.c_str(), static_cast<uid_t>(-1), group) != 0 || ::chmod(path.c_str(), mode) != 0) {
    return make_error(std::string("cannot set mode of ") + what + " " + escape_control(path.string()) + ": " +
                      std::strerror(errno));
  }
  return {};
}

} // namespace

Result<void> check_files(const Config& config, gid_t group) {
  std::string refusals;
  for (const auto& problem : file_problems(config, group, handlers::RunLedger::path_for(config.database))) {
    refusals += problem.refusal() + "\n";
  }
  if (!refusals.empty()) {
    refusals.pop_back();
    return make_error(refusals);
  }
  return {};
}

Result<void> prepare_directories(const Config& config, gid_t group) {
  // The pipe group may traverse the state dir to reach the pipe and the pickup dir.
  if (auto made = make_dir(config.state_dir, 0750, group, "state dir"); !made) {
    return made;
  }
  return make_dir(config.pickup_dir, 01730, group, "pickup dir");
}

Result<UniqueFd> open_fifo(const Config& config, gid_t group) {
  // systemd's socket activation: LISTEN_PID is us and fd 3 is the FIFO of ListenFIFO=.
  const char* listen_pid = std::getenv("LISTEN_PID");
  const char* listen_fds = std::getenv("LISTEN_FDS");
  if (listen_pid != nullptr && listen_fds != nullptr &&
      std::atol(listen_pid) == static_cast<long>(getpid()) && std::atoi(listen_fds) >= 1) {
    struct stat st{};
    if (fstat(3, &st) == 0 && S_ISFIFO(st.st_mode)) {
      // The unit made it (SocketMode=, SocketUser=, SocketGroup=): the same rules as ours.
      std::error_code ec;
      const fs::path path = fs::read_symlink("/proc/self/fd/3", ec);
      if (auto problem = fifo_problem(st, path, group, FifoSource::systemd)) {
        return make_error("refusing pipe " + escape_control(path.string()) + " (from systemd): " + *problem);
      }
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
  const std::string name = escape_control(path.string());
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) {
    if (::mkfifo(path.c_str(), 0620) != 0) {
      return make_error("cannot create pipe " + name + ": " + std::strerror(errno));
    }
    // mkfifo applied the umask.
    if (::chown(path.c_str(), static_cast<uid_t>(-1), group) != 0 || ::chmod(path.c_str(), 0620) != 0) {
      return make_error("cannot set owner and mode of pipe " + name + ": " + std::strerror(errno));
    }
  }
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    return make_error("cannot open pipe " + name + ": " + std::strerror(errno));
  }
  // What was opened, not what the path named a moment before.
  if (::fstat(fd.get(), &st) != 0) {
    return make_error("cannot check pipe " + name + ": " + std::strerror(errno));
  }
  if (auto problem = fifo_problem(st, path, group, FifoSource::path)) {
    return make_error("refusing pipe " + name + ": " + *problem);
  }
  return fd;
}

} // namespace eventmgr::daemon
