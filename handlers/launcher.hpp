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

// Everything one handler process needs (SPEC 6.2, 7).
struct LaunchSpec {
  std::vector<std::string> argv;       // argv[0] is the absolute program path
  std::vector<std::string> env;        // complete environment, "KEY=VALUE"
  std::optional<UserInfo> user;        // switch to this user (needs root); nullopt: stay
  std::string cwd = "/";
  mode_t umask = 022;
  std::optional<std::string> stdin_data; // nullopt: /dev/null
  std::size_t output_limit = 64 * 1024;  // per stream
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds kill_grace{5000};
  // Once the child has exited and its group was killed, how long to keep reading output
  // still held open by a descendant that left the group (setsid); then the pipes are closed.
  std::chrono::milliseconds output_drain{1000};
  // Resource limits of the process (config `rlimits`): pairs of RLIMIT_* and soft=hard value.
  std::vector<std::pair<int, rlim_t>> limits;
};

enum class RunStatus { ok, exit, signal, timeout, not_started };

struct RunOutcome {
  RunStatus status = RunStatus::not_started;
  int exit_code = 0;     // when exit/ok
  int signal = 0;        // when signal (or the signal that ended a timed-out run)
  bool timed_out = false;
  std::string start_error; // when not_started, e.g. "cannot execute /x: No such file or directory"
  std::string out;
  std::string err;
  bool out_truncated = false;
  bool err_truncated = false;
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  pid_t pid = 0;
};

// Starts handler processes and reports their outcome on the executor's thread.
// Implementation: a clone(CLONE_VM|CLONE_VFORK) child doing only raw system calls, so the
// launch cost does not grow with the daemon's memory (see ARCHITECTURE.md).
// Ignores SIGPIPE process-wide (if it is still SIG_DFL), so that writing stdin to a handler
// that exited gives EPIPE instead of killing the daemon; children get default dispositions.
// Never reaps anything but its own children: SIGCHLD must not be SIG_IGN, nobody may
// waitpid(-1). Thread-safe; each run's handlers are serialized on a strand of `executor`.
class Launcher {
public:
  explicit Launcher(boost::asio::any_io_executor executor);
  // Starts `spec`; `done` is called exactly once, from the executor, with the outcome.
  void async_run(LaunchSpec spec, std::function<void(RunOutcome)> done);
  // Kills the process groups of every running child (SIGKILL); used at shutdown.
  void kill_all();
  // Runs started whose `done` has not been called yet.
  std::size_t running() const;

  struct State;

private:
  boost::asio::any_io_executor m_executor;
  std::shared_ptr<State> m_state;
};

// Runs `spec` to completion on a private io_context (for `eventmgr handler test --run`).
RunOutcome run_blocking(LaunchSpec spec);

} // namespace eventmgr::handlers
