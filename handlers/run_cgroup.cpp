// SPDX-License-Identifier: MIT
#include "handlers/run_cgroup.hpp"

#include "common/text.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace eventmgr::handlers::detail {
namespace {

namespace fs = std::filesystem;

// How long a removal waits for killed processes to leave a cgroup (rmdir fails while any is
// still exiting).
constexpr int k_rmdir_attempts = 100;
constexpr auto k_rmdir_pause = std::chrono::milliseconds(10);

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mount_field(const std::string& field) {
  std::string plain;
  for (std::size_t i = 0; i < field.size(); ++i) {
    const auto octal = [&](std::size_t at) { return field[at] >= '0' && field[at] <= '7'; };
    if (field[i] == '\\' && i + 3 < field.size() && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      plain.push_back(static_cast<char>(std::stoi(field.substr(i + 1, 3), nullptr, 8)));
      i += 3;
    } else {
      plain.push_back(field[i]);
    }
  }
  return plain;
}

// The directory of this process's cgroup in the cgroup v2 hierarchy, or "" with `why` set.
std::string own_cgroup_dir(std::string& why) {
  std::string mount;
  std::string mount_root;
  std::istringstream mounts(read_text("/proc/self/mountinfo"));
  for (std::string line; std::getline(mounts, line);) {
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    auto dash = line.find(" - ");
    if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) {
      continue;
    }
    std::istringstream fields(line.substr(0, dash));
    std::string skip;
    fields >> skip >> skip >> skip >> mount_root >> mount;
    mount = unescape_mount_field(mount);
    mount_root = unescape_mount_field(mount_root);
    break;
  }
  if (mount.empty()) {
    why = "no cgroup v2 hierarchy is mounted";
    return {};
  }
  std::string own;
  std::istringstream groups(read_text("/proc/self/cgroup"));
  for (std::string line; std::getline(groups, line);) {
    if (line.rfind("0::", 0) == 0) {
      own = line.substr(3);
    }
  }
  if (own.empty()) {
    why = "/proc/self/cgroup names no cgroup v2 group";
    return {};
  }
  if (mount_root != "/") {
    if (own.rfind(mount_root, 0) != 0) {
      why = "the cgroup v2 mount " + mount + " does not hold this process's cgroup " + own;
      return {};
    }
    own.erase(0, mount_root.size());
  }
  return mount + (own == "/" ? "" : own);
}

// Kills what is in `dir` (each leaf's cgroup.kill), then removes the leaves and `dir`,
// waiting a little for the killed processes to exit. False if something is left.
bool kill_and_remove(const fs::path& dir) {
  std::error_code error;
  std::vector<fs::path> leaves;
  // Increments with an error code: a range-for would throw.
  for (fs::directory_iterator at(dir, error), end; !error && at != end; at.increment(error)) {
    const auto& entry = *at;
    std::error_code type_error;
    if (entry.is_directory(type_error)) {
      leaves.push_back(entry.path());
      if (int fd = open((entry.path() / "cgroup.kill").c_str(), O_WRONLY | O_CLOEXEC); fd >= 0) {
        [[maybe_unused]] auto written = write(fd, "1", 1);
        close(fd);
      }
    }
  }
  leaves.push_back(dir);
  for (const auto& path : leaves) {
    int attempt = 0;
    while (rmdir(path.c_str()) < 0 && errno == EBUSY && ++attempt < k_rmdir_attempts) {
      std::this_thread::sleep_for(k_rmdir_pause);
    }
  }
  return !fs::exists(dir, error);
}

// Removes the launcher cgroups of dead processes of this pid namespace below `parent`
// (a kill -9 leaves them, with whatever still ran in them); returns how many.
int remove_stale(const fs::path& parent, const std::string& prefix) {
  int removed = 0;
  std::error_code error;
  for (fs::directory_iterator at(parent, error), end; !error && at != end; at.increment(error)) {
    const auto& entry = *at;
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) {
      continue;
    }
    const std::string rest = name.substr(prefix.size()); // <pid>.<n>
    const auto dot = rest.find('.');
    if (dot == 0 || dot == std::string::npos || rest.find_first_not_of("0123456789.") != std::string::npos) {
      continue;
    }
    pid_t owner = 0;
    if (std::from_chars(rest.data(), rest.data() + dot, owner).ec != std::errc() || owner <= 0 ||
        owner == getpid() || kill(owner, 0) == 0 || errno != ESRCH) {
      continue;
    }
    removed += kill_and_remove(entry.path()) ? 1 : 0;
  }
  return removed;
}

} // namespace

void RunCgroup::kill() const {
  m_killed = true;
  [[maybe_unused]] auto written = write(m_kill.get(), "1", 1);
}

void RunCgroup::kill_if_populated() const {
  char events[128];
  ssize_t got = pread(m_events.get(), events, sizeof events - 1, 0);
  if (got <= 0) {
    kill();
    return;
  }
  events[got] = '\0';
  if (std::strstr(events, "populated 0") == nullptr) {
    kill();
  }
}

RunCgroups::RunCgroups() {
  std::string why;
  const std::string parent = own_cgroup_dir(why);
  if (!parent.empty()) {
    struct stat ns {};
    const std::string prefix =
        "eventmgr." + std::to_string(stat("/proc/self/ns/pid", &ns) == 0 ? ns.st_ino : 0) + ".";
    const int stale = remove_stale(parent, prefix);
    static std::atomic<unsigned> made{0};
    m_path = parent + "/" + prefix + std::to_string(getpid()) + "." + std::to_string(made.fetch_add(1));
    if (mkdir(m_path.c_str(), 0755) < 0) {
      why = "cannot create cgroup " + m_path + ": " + std::strerror(errno);
    } else if (access((m_path + "/cgroup.kill").c_str(), W_OK) < 0) {
      why =
          "cgroup " + m_path + " has no writable cgroup.kill (kernel before 5.14?): " + std::strerror(errno);
      rmdir(m_path.c_str());
    } else {
      m_dir = OwnedFd(open(m_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (m_dir.get() < 0) {
        why = "cannot open cgroup " + m_path + ": " + std::strerror(errno);
        rmdir(m_path.c_str());
      }
    }
    if (available()) {
      m_description = "one cgroup per lane below " + escape_for_message(m_path) +
                      ", killed at each run's end (cgroup.kill)";
      if (stale > 0) {
        m_description +=
            "; removed " + std::to_string(stale) + " left by a daemon that died, with their processes";
      }
      return;
    }
  }
  m_description =
      "no cgroup for the runs (" + escape_for_message(why) +
      "): a descendant that leaves the handler's process group (setsid, setpgid) is not killed at "
      "the run's end";
}

RunCgroups::~RunCgroups() {
  if (available()) {
    m_dir = OwnedFd();
    kill_and_remove(m_path);
  }
}

const RunCgroup* RunCgroups::make_leaf() {
  if (!available()) {
    return nullptr;
  }
  std::lock_guard lock(m_mutex);
  const std::string name = "run" + std::to_string(m_made++);
  if (mkdirat(m_dir.get(), name.c_str(), 0755) < 0 && errno != EEXIST) {
    return nullptr;
  }
  OwnedFd dir(openat(m_dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  OwnedFd kill_file(openat(m_dir.get(), (name + "/cgroup.kill").c_str(), O_WRONLY | O_CLOEXEC));
  OwnedFd events(openat(m_dir.get(), (name + "/cgroup.events").c_str(), O_RDONLY | O_CLOEXEC));
  if (dir.get() < 0 || kill_file.get() < 0 || events.get() < 0) {
    unlinkat(m_dir.get(), name.c_str(), AT_REMOVEDIR);
    return nullptr;
  }
  m_leaves.push_back(std::make_unique<RunCgroup>(m_path + "/" + name, std::move(dir), std::move(kill_file),
                                                 std::move(events)));
  return m_leaves.back().get();
}

const RunCgroup* RunCgroups::replace(const RunCgroup* killed) {
  {
    // Leaves replaced before and empty by now go (the one just replaced may still hold
    // exiting processes); other lanes' leaves stay, killed or not, until they replace them.
    std::lock_guard lock(m_mutex);
    m_retired.push_back(killed);
    std::erase_if(m_leaves, [this](const std::unique_ptr<RunCgroup>& leaf) {
      auto retired = std::find(m_retired.begin(), m_retired.end(), leaf.get());
      if (retired == m_retired.end() || rmdir(leaf->path().c_str()) != 0) {
        return false;
      }
      m_retired.erase(retired);
      return true;
    });
  }
  return make_leaf();
}

void RunCgroups::kill_all() const {
  std::lock_guard lock(m_mutex);
  for (const auto& leaf : m_leaves) {
    leaf->kill();
  }
}

} // namespace eventmgr::handlers::detail
