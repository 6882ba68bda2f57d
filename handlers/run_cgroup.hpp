// SPDX-License-Identifier: MIT
#pragma once

// The cgroups that hold the processes of a launcher's runs, so that a run's end kills all of
// them, whatever session or process group they moved to (a process group kill misses those).

#include "handlers/spawn.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace eventmgr::handlers::detail {

// One cgroup v2 leaf for the runs of one lane, which runs one run at a time: each child is
// created in it (SpawnPlan::cgroup_fd) and kill() ends whatever is left in it. A leaf once
// killed takes no new process: kernel 6.18 kills a child cloned into a cgroup whose kill count
// differs from its parent's (cgroup_css_set_fork reads the parent's), so the lane then moves
// to a new leaf (RunCgroups::replace).
class RunCgroup {
public:
  RunCgroup(std::string path, OwnedFd dir, OwnedFd kill_file, OwnedFd events)
      : m_path(std::move(path)), m_dir(std::move(dir)), m_kill(std::move(kill_file)),
        m_events(std::move(events)) {}
  // The leaf's directory, for clone3's CLONE_INTO_CGROUP.
  int dir() const { return m_dir.get(); }
  const std::string& path() const { return m_path; }
  // SIGKILL to every process in the leaf (cgroup.kill, kernel 5.14); the kernel also kills
  // what they fork meanwhile. They may still be exiting when it returns.
  void kill() const;
  // kill() if any process is in the leaf (cgroup.events), as after most runs none is.
  void kill_if_populated() const;
  bool killed() const { return m_killed.load(); }

private:
  std::string m_path;
  OwnedFd m_dir;
  OwnedFd m_kill;
  OwnedFd m_events;
  mutable std::atomic<bool> m_killed{false};
};

// The cgroup of one launcher: <cgroup2 mount><own cgroup>/eventmgr.<pid ns>.<pid>.<n>, one
// leaf per lane below it. Made at construction, which first removes (killing what is in
// them) those a dead process of this pid namespace left; where cgroup v2 or cgroup.kill is
// missing or the directory cannot be made, available() is false and describe() says why.
class RunCgroups {
public:
  RunCgroups();
  // Kills what is left in the leaves and removes them and the directory.
  ~RunCgroups();
  RunCgroups(const RunCgroups&) = delete;
  RunCgroups& operator=(const RunCgroups&) = delete;

  bool available() const { return m_dir.get() >= 0; }
  // What contains the runs, or why nothing does, for the log.
  const std::string& describe() const { return m_description; }
  // A new leaf, owned by this object; nullptr when not available or it cannot be made.
  const RunCgroup* make_leaf();
  // A new leaf in place of `killed`, which is removed once empty; nullptr as make_leaf.
  const RunCgroup* replace(const RunCgroup* killed);
  // kill() on every leaf; from any thread.
  void kill_all() const;

private:
  std::string m_path;
  OwnedFd m_dir;
  std::string m_description;
  mutable std::mutex m_mutex;
  std::vector<std::unique_ptr<RunCgroup>> m_leaves;
  std::vector<const RunCgroup*> m_retired; // replaced, removed once empty
  unsigned m_made = 0;
};

} // namespace eventmgr::handlers::detail
