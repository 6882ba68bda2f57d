// SPDX-License-Identifier: MIT
#include "common/state_lock.hpp"

#include "common/text.hpp"
#include "common/trusted_files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace eventmgr {
namespace fs = std::filesystem;

namespace {

constexpr mode_t k_lock_mode = 0640;

} // namespace

Result<UniqueFd> lock_state_dir(const Config& config, const std::function<void(const std::string&)>& on_wait) {
  fs::path path = config.state_dir / "eventmgrd.lock";
  // Never through a symbolic link, and nothing written before the file is known to be ours:
  // the pid written below truncates it.
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, k_lock_mode));
  if (!fd) {
    if (errno == ELOOP) {
      struct stat link{};
      if (::lstat(path.c_str(), &link) == 0) {
        return make_error("refusing lock file " + escape_control(path.string()) + ": " +
                          lock_file_problem(link, path).value_or("a symbolic link"));
      }
    }
    return make_error("cannot open lock file " + escape_control(path.string()) + ": " + std::strerror(errno));
  }
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) {
    return make_error("cannot check lock file " + escape_control(path.string()) + ": " +
                      std::strerror(errno));
  }
  if (auto problem = lock_file_problem(st, path)) {
    return make_error("refusing lock file " + escape_control(path.string()) + ": " + *problem);
  }
  // open(2) applied the umask to a new file.
  if ((st.st_mode & 07777) != k_lock_mode && ::fchmod(fd.get(), k_lock_mode) != 0) {
    return make_error("cannot set the mode of lock file " + escape_control(path.string()) + ": " +
                      std::strerror(errno));
  }
  // A daemon stopped or killed a moment ago may still be ending, so wait a little before
  // refusing, and say so at once rather than after the wait.
  auto holder = [&fd]() {
    char buf[32] = {0};
    if (::pread(fd.get(), buf, sizeof buf - 1, 0) > 0) {
      return " (pid " + escape_control(std::string(buf, std::strcspn(buf, "\n"))) + ")";
    }
    return std::string();
  };
  for (int attempt = 0; ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0; ++attempt) {
    if (errno != EWOULDBLOCK || attempt == 100) {
      return make_error("another eventmgrd" + holder() + " already runs on state dir " +
                        escape_control(config.state_dir.string()) + "; stop it first (eventmgr status shows it)");
    }
    if (attempt == 0 && on_wait) {
      on_wait("state dir " + escape_control(config.state_dir.string()) + " is locked by another eventmgrd" +
              holder() + ": waiting up to 5 s in case it is just ending");
    }
    ::usleep(50'000);
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) != 0 || ::pwrite(fd.get(), pid.data(), pid.size(), 0) < 0) {
    return make_error("cannot write lock file " + escape_control(path.string()) + ": " +
                      std::strerror(errno));
  }
  return fd;
}

bool daemon_running(const Config& config) {
  fs::path path = config.state_dir / "eventmgrd.lock";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    return false;
  }
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) != 0) {
    return errno == EWOULDBLOCK;
  }
  ::flock(fd.get(), LOCK_UN);
  return false;
}

} // namespace eventmgr
