// SPDX-License-Identifier: MIT
#pragma once

#include "common/users.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace eventmgr::handlers {

// Everything one handler process needs (docs/HANDLERS.md, docs/RELIABILITY.md).
struct LaunchSpec {
  std::vector<std::string> argv; // argv[0] is the absolute program path
  std::vector<std::string> env;  // complete environment, "KEY=VALUE"
  std::optional<UserInfo> user;  // switch to this user (needs root); nullopt: stay
  std::string cwd = "/";
  mode_t umask = 022;
  std::optional<std::string> stdin_data; // nullopt: /dev/null
  std::size_t output_limit = 64 * 1024;  // per stream
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds kill_grace{5000};
  // Once the child has exited and its group was killed, how long to keep reading output
  // still held open by a descendant that left the group (setsid); then the pipes are closed.
  std::chrono::milliseconds output_drain{1000};
  // How long the new process may take to reach its exec. From its switch to the handler's
  // user on, a process of that user may SIGSTOP it; a child still short of its exec at this
  // deadline is killed and the run reported not started ("held before exec").
  std::chrono::milliseconds exec_deadline{2000};
  // Resource limits of the process (config `rlimits`): pairs of RLIMIT_* and soft=hard value.
  std::vector<std::pair<int, rlim_t>> limits;
  // Values hidden as "***" wherever they appear in the captured stdout and stderr (the event's
  // secret values); see SecretMask for which are too short to hide. Empty: output as read.
  std::vector<std::string> secrets;
  // At most `slot_limit` runs with the same `slot_key` (the handler's id) run at once across
  // the lanes; a lane waits for a slot before it starts the run. 0: no limit.
  std::int64_t slot_key = 0;
  int slot_limit = 0;
};

enum class RunStatus { ok, exit, signal, timeout, not_started };

struct RunOutcome {
  RunStatus status = RunStatus::not_started;
  int exit_code = 0; // when exit/ok
  int signal = 0;    // when signal (or the signal that ended a timed-out run)
  bool timed_out = false;
  std::string start_error; // when not_started, e.g. "cannot execute /x: No such file or directory"
  std::string out;
  std::string err;
  bool out_truncated = false;
  bool err_truncated = false;
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  pid_t pid = 0;
  bool skipped = false; // taken back from its queue before it started (Launcher::cancel_queued)
  bool holds_lane = false; // its hold test held the lane: the runs queued after it come back `held`
  bool held = false;       // taken back (with `skipped`) because an earlier run held the lane
};

// Starts handler processes and reports their outcome on the executor's thread.
// Each run is executed by a lane: a thread of its own that runs its queue one run after
// another (spawn, output capture with poll(2), wait), so the next queued run starts as soon as
// the previous one ends, without a turn of the event loop in between. The process is started
// by a clone3(CLONE_VM) child doing only raw system calls, so the launch cost does not grow
// with the daemon's memory (see ARCHITECTURE.md); a child held (stopped) before its exec is
// killed at LaunchSpec::exec_deadline. Where cgroup v2 allows, each lane's runs live in a
// cgroup of their own, killed at each run's end (contains_runs()).
// Ignores SIGPIPE process-wide (if it is still SIG_DFL), so that writing stdin to a handler
// that exited gives EPIPE instead of killing the daemon; children get default dispositions.
// Never reaps anything but its own children: SIGCHLD must not be SIG_IGN, nobody may
// waitpid(-1). async_run, async_report and cancel_queued are called from one thread at a time;
// kill_all and running() from any.
class Launcher {
public:
  explicit Launcher(boost::asio::any_io_executor executor);
  // Kills every process still running and joins the lanes; queued runs are dropped.
  ~Launcher();
  Launcher(const Launcher&) = delete;
  Launcher& operator=(const Launcher&) = delete;

  // Called on the lane's thread just before the process is started, with the start time
  // (unix ms); the run is then `started`. Must be thread-safe with respect to the caller.
  using StartHook = std::function<void(std::int64_t started_ms)>;
  // Called on the lane's thread with a run's outcome: true holds the lane (a failed run to be
  // retried): every run queued after it, and every run queued until release_hold(), is
  // taken back and reported `skipped` and `held`, in queue order, after this outcome.
  using HoldTest = std::function<bool(const RunOutcome&)>;
  // Queues `spec` on lane `lane` (created on first use); `done` is called exactly once, from
  // the executor, with the outcome. Outcomes of one lane arrive in queue order.
  void async_run(LaunchSpec spec, std::function<void(RunOutcome)> done, std::size_t lane = 0,
                 StartHook before_start = nullptr, HoldTest hold = nullptr);
  // Queues an outcome decided without a process (a run refused before its launch), so that it
  // reaches `done` in its lane's order.
  void async_report(RunOutcome outcome, std::function<void(RunOutcome)> done, std::size_t lane = 0,
                    HoldTest hold = nullptr);
  // Lane `lane` runs again what is queued from now on; the runs queued while it was held
  // come back `held`. Called once the outcome that held it (`holds_lane`) was handled.
  void release_hold(std::size_t lane);
  // Takes back every queued run that has not started: each `done` gets `skipped` set, maybe
  // before the outcome of the run its lane is running. From then on a run waiting for a
  // concurrency slot (LaunchSpec::slot_limit) is taken back too (stopping is final).
  void cancel_queued();
  // Kills the process groups and cgroups of every running child (SIGKILL); used at shutdown.
  void kill_all();
  // Whether each lane's runs live in a cgroup that is killed at each run's end, so that no
  // descendant outlives its run; containment() says where, or why not (for the log).
  bool contains_runs() const;
  const std::string& containment() const;
  // Runs queued or running whose `done` has not been called yet.
  std::size_t running() const;

  struct State;
  struct Lane;

private:
  Lane& lane(std::size_t index);
  // The executor, counting as outstanding work of its io_context while a copy lives.
  boost::asio::any_io_executor tracked() const;

  boost::asio::any_io_executor m_executor;
  std::shared_ptr<State> m_state;
  std::vector<std::unique_ptr<Lane>> m_lanes;
};

// Runs `spec` to completion on the calling thread (for `eventmgr handler test --run`).
RunOutcome run_blocking(LaunchSpec spec);

} // namespace eventmgr::handlers
