// SPDX-License-Identifier: MIT
#pragma once

// One handler process from its launch to its reaping, on the calling thread: what a launcher
// lane runs for each run, and what `eventmgr handler test --run` runs directly.

#include "handlers/launcher.hpp"
#include "handlers/run_cgroup.hpp"
#include "handlers/spawn.hpp"

#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace eventmgr::handlers::detail {

// What the runs of one launcher share, from any thread: the process groups of the runs not
// finished yet (a run's entry turns 0 before its leader is reaped, under the mutex, so no
// signal can ever reach a recycled process group id), the runs' cgroups, /dev/null for stdin,
// the effective uid.
struct Processes {
  mutable std::mutex mutex;
  std::unordered_map<const void*, pid_t> groups;
  OwnedFd null = open_null();   // -1 if it cannot be opened: then per run
  const uid_t euid = geteuid(); // read once, not per run
  RunCgroups cgroups;

  void set_group(const void* run, pid_t pid);
  void forget(const void* run);
  void signal_group(const void* run, int signal);
  // Kills what is left of the run (its cgroup `cgroup` if any, else the group of `run`) and
  // forgets the group: the caller reaps the leader next.
  void kill_before_reap(const void* run, pid_t pid, const RunCgroup* cgroup);
  // SIGKILL to the group of every running child and to every run's cgroup.
  void kill_all();
  // signals_to_reset_now() (spawn.hpp), read at the first call instead of resetting all 62
  // signals in every child (~10 us per launch here). A disposition set after the first run,
  // for a signal not in its fixed list, would not be reset: the daemon sets its own before it
  // starts.
  const std::vector<int>& signals_to_reset();

private:
  std::once_flag m_signals_read;
  std::vector<int> m_signals;
};

// The output pipes of a lane's next run, made while the current run's process runs, so that
// the next launch does not wait for them.
struct SparePipes {
  Pipe out;
  Pipe err;
  bool ready = false;

  void prepare();
  // Moves them to `to_out`/`to_err`; false (and nothing moved) when none are ready.
  bool take(Pipe& to_out, Pipe& to_err);
};

// Runs `spec` to completion: refusal checks, `before_start` just before the spawn, the spawn,
// `after_start` once the process runs (or failed to start), then output capture, stdin, the
// time-out and kill grace, the group kill and the reap. `spares`, when given, provides the
// output pipes and gets the next run's made while this one runs. `cgroup`, when given, is
// the (otherwise empty) cgroup the process starts in, killed at the run's end.
RunOutcome execute(Processes& processes, LaunchSpec& spec, const RunCgroup* cgroup,
                   SparePipes* spares = nullptr,
                   const std::function<void(std::int64_t started_ms)>& before_start = nullptr,
                   const std::function<void()>& after_start = nullptr);

} // namespace eventmgr::handlers::detail
