// SPDX-License-Identifier: MIT
#include "handlers/execution.hpp"

#include "common/clock.hpp"
#include "handlers/secret_mask.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::handlers::detail {

void Processes::set_group(const void* run, pid_t pid) {
  std::lock_guard lock(mutex);
  groups[run] = pid;
}

void Processes::forget(const void* run) {
  std::lock_guard lock(mutex);
  groups.erase(run);
}

void Processes::signal_group(const void* run, int signal) {
  std::lock_guard lock(mutex);
  auto found = groups.find(run);
  if (found != groups.end() && found->second > 0) {
    kill(-found->second, signal);
  }
}

void Processes::kill_before_reap(const void* run, pid_t pid, const RunCgroup* cgroup) {
  std::lock_guard lock(mutex);
  // The cgroup holds the group too, and what left it (setsid, setpgid).
  if (cgroup != nullptr) {
    cgroup->kill_if_populated();
  } else {
    kill(-pid, SIGKILL);
  }
  auto found = groups.find(run);
  if (found != groups.end()) {
    found->second = 0;
  }
}

void Processes::kill_all() {
  std::lock_guard lock(mutex);
  for (const auto& [run, pid] : groups) {
    if (pid > 0) {
      kill(-pid, SIGKILL);
    }
  }
  cgroups.kill_all();
}

const std::vector<int>& Processes::signals_to_reset() {
  std::call_once(m_signals_read, [this] { m_signals = signals_to_reset_now(); });
  return m_signals;
}

void SparePipes::prepare() {
  if (!ready) {
    ready = make_pipe(out) && make_pipe(err);
  }
}

bool SparePipes::take(Pipe& to_out, Pipe& to_err) {
  if (!ready) {
    return false;
  }
  to_out = std::move(out);
  to_err = std::move(err);
  ready = false;
  return true;
}

namespace {

using StartHook = std::function<void(std::int64_t started_ms)>;

std::string describe_failure(const LaunchSpec& spec, SpawnStep step, int error) {
  const std::string& path = spec.argv.front();
  std::string cause = std::strerror(error);
  switch (step) {
  case SpawnStep::exec:
    return "cannot execute " + path + ": " + cause;
  case SpawnStep::groups:
  case SpawnStep::gid:
  case SpawnStep::uid:
    return "cannot switch to user " + (spec.user ? spec.user->name : std::string("?")) + ": " + cause;
  case SpawnStep::session:
    return "cannot start " + path + ": cannot create a session: " + cause;
  case SpawnStep::stdio:
    return "cannot start " + path + ": cannot set up standard input and output: " + cause;
  case SpawnStep::descriptors:
    return "cannot start " + path + ": cannot close inherited descriptors: " + cause;
  case SpawnStep::cwd:
    return "cannot start " + path + ": cannot change directory to /: " + cause;
  case SpawnStep::limits:
    return "cannot start " + path + ": cannot set the configured rlimits: " + cause;
  case SpawnStep::held:
    return "cannot start " + path + ": held before exec for " + std::to_string(spec.exec_deadline.count()) +
           " ms (stopped, by a process of user " + (spec.user ? spec.user->name : std::string("?")) +
           "?); killed";
  case SpawnStep::none:
  case SpawnStep::prepare:
    break;
  }
  return "cannot start " + path + ": " + cause;
}

// Why `spec` cannot be started at all, or "" if it can.
std::string refusal(const LaunchSpec& spec, uid_t euid) {
  if (spec.argv.empty() || spec.argv.front().empty()) {
    return "cannot start handler: empty command";
  }
  const std::string& path = spec.argv.front();
  for (std::size_t i = 0; i < spec.argv.size(); ++i) {
    if (spec.argv[i].find('\0') != std::string::npos) {
      return "cannot start " + path + ": argument " + std::to_string(i) + " contains a NUL byte";
    }
  }
  for (const auto& entry : spec.env) {
    if (entry.find('\0') != std::string::npos) {
      return "cannot start " + path + ": environment entry " + entry.substr(0, entry.find('=')) +
             " contains a NUL byte";
    }
  }
  if (spec.user && spec.user->uid != euid && euid != 0) {
    return "cannot run as user " + spec.user->name + ": the daemon is not root";
  }
  return {};
}

std::vector<char*> null_terminated(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& text : strings) {
    pointers.push_back(text.data());
  }
  pointers.push_back(nullptr);
  return pointers;
}

// One output stream of a run: captured up to the limit, then drained and dropped; the run's
// secret values masked first, so the limit counts what is stored.
struct Capture {
  OwnedFd fd;
  std::string* text = nullptr;
  bool* truncated = nullptr;
  SecretMask mask;
  std::string masked; // one read's masked text, reused from read to read
};

using Clock = std::chrono::steady_clock;

// One handler process from its launch to its reaping, on the calling thread.
class Execution {
public:
  // `spares`, when given, provides this run's pipes and gets the next run's.
  Execution(Processes& processes, LaunchSpec& spec, const RunCgroup* cgroup, SparePipes* spares)
      : m_state(processes), m_spec(spec), m_cgroup(cgroup), m_spares(spares) {}
  Execution(const Execution&) = delete;
  Execution& operator=(const Execution&) = delete;
  ~Execution() {
    if (m_pid > 0 && !m_reaped) { // an exception left it running: never leave a zombie
      m_state.kill_before_reap(this, m_pid, m_cgroup);
      reap();
    }
    m_state.forget(this);
  }

  // `after_start`, if set, is called once the process runs (or failed to start).
  RunOutcome run(const StartHook& before_start, const std::function<void()>& after_start = nullptr) {
    m_outcome.started_ms = now_ms();
    m_state.set_group(this, 0); // no group to signal yet
    std::string failed = refusal(m_spec, m_state.euid);
    if (failed.empty()) {
      if (before_start) {
        before_start(m_outcome.started_ms);
      }
      failed = launch();
    }
    if (after_start) {
      after_start();
    }
    if (m_spares != nullptr) {
      m_spares->prepare();
    }
    if (!failed.empty()) {
      m_outcome.status = RunStatus::not_started;
      m_outcome.start_error = std::move(failed);
    } else {
      watch();
    }
    m_outcome.finished_ms = now_ms();
    return std::move(m_outcome);
  }

private:
  // Spawns the child; returns the start error or "".
  std::string launch() {
    Pipe out;
    Pipe err;
    Pipe in;
    OwnedFd own_null;
    const bool spared = m_spares != nullptr && m_spares->take(out, err);
    if (!spared && (!make_pipe(out) || !make_pipe(err))) {
      return describe_failure(m_spec, SpawnStep::prepare, errno);
    }
    int stdin_fd = m_state.null.get();
    if (m_spec.stdin_data) {
      if (!make_pipe(in)) {
        return describe_failure(m_spec, SpawnStep::prepare, errno);
      }
      stdin_fd = in.read.get();
    } else if (stdin_fd < 0) {
      own_null = open_null();
      if (own_null.get() < 0) {
        return describe_failure(m_spec, SpawnStep::prepare, errno);
      }
      stdin_fd = own_null.get();
    }

    std::vector<char*> argv = null_terminated(m_spec.argv);
    std::vector<char*> envp = null_terminated(m_spec.env);
    SpawnPlan plan;
    plan.path = m_spec.argv.front().c_str();
    plan.argv = argv.data();
    plan.envp = envp.data();
    plan.cwd = m_spec.cwd.c_str();
    plan.umask = m_spec.umask;
    // Not root: refusal() already made sure the user, if any, is the daemon's own.
    if (m_spec.user && m_state.euid == 0) {
      plan.switch_user = true;
      plan.uid = m_spec.user->uid;
      plan.gid = m_spec.user->gid;
      plan.groups = m_spec.user->groups.data();
      plan.group_count = m_spec.user->groups.size();
    }
    std::vector<int> limit_resources;
    std::vector<rlimit> limit_values;
    for (const auto& [resource, value] : m_spec.limits) {
      limit_resources.push_back(resource);
      limit_values.push_back(rlimit{value, value});
    }
    plan.limit_resources = limit_resources.data();
    plan.limit_values = limit_values.data();
    plan.limit_count = limit_resources.size();
    const std::vector<int>& reset = m_state.signals_to_reset();
    plan.reset_signals = reset.data();
    plan.reset_count = reset.size();
    plan.stdin_fd = stdin_fd;
    plan.stdout_fd = out.write.get();
    plan.stderr_fd = err.write.get();
    plan.cgroup_fd = m_cgroup != nullptr ? m_cgroup->dir() : -1;
    plan.exec_deadline_ms =
        static_cast<int>(std::clamp<std::int64_t>(m_spec.exec_deadline.count(), 1, 3'600'000));

    SpawnResult spawned = spawn(plan);
    if (spawned.pid < 0) {
      return describe_failure(m_spec, spawned.failed, spawned.error);
    }
    m_pid = spawned.pid;
    m_outcome.pid = m_pid;
    m_state.set_group(this, m_pid);
    if (spawned.pidfd < 0) {
      int error = errno;
      m_state.kill_before_reap(this, m_pid, m_cgroup);
      reap();
      return "cannot start " + m_spec.argv.front() + ": cannot watch the process: " + std::strerror(error);
    }
    m_exit = OwnedFd(spawned.pidfd);
    // The child's ends close here, so its exit shows as end of file.
    m_out = Capture{
        std::move(out.read), &m_outcome.out, &m_outcome.out_truncated, SecretMask(m_spec.secrets), {}};
    m_err = Capture{
        std::move(err.read), &m_outcome.err, &m_outcome.err_truncated, SecretMask(m_spec.secrets), {}};
    if (m_spec.stdin_data) {
      m_stdin = std::move(in.write);
      // Never block on a full pipe: write what fits whenever poll says there is room.
      fcntl(m_stdin.get(), F_SETFL, fcntl(m_stdin.get(), F_GETFL) | O_NONBLOCK);
    }
    return {};
  }

  // Captures the output and writes stdin until the process has exited and both streams are
  // closed, enforcing the time-out, the kill grace and the drain time.
  void watch() {
    const auto started = Clock::now();
    Clock::time_point deadline = started + m_spec.timeout;
    Clock::time_point drain_until{};
    bool killed = false;
    std::size_t stdin_written = 0;
    char buffer[16 * 1024];
    while (!m_reaped || m_out.fd.get() >= 0 || m_err.fd.get() >= 0) {
      pollfd fds[4];
      nfds_t count = 0;
      int out_at = -1;
      int err_at = -1;
      int exit_at = -1;
      int in_at = -1;
      auto add = [&](int fd, short events) {
        fds[count] = pollfd{fd, events, 0};
        return static_cast<int>(count++);
      };
      if (m_out.fd.get() >= 0) {
        out_at = add(m_out.fd.get(), POLLIN);
      }
      if (m_err.fd.get() >= 0) {
        err_at = add(m_err.fd.get(), POLLIN);
      }
      if (!m_reaped) {
        exit_at = add(m_exit.get(), POLLIN);
      }
      if (m_stdin.get() >= 0) {
        in_at = add(m_stdin.get(), POLLOUT);
      }
      const Clock::time_point until = m_reaped ? drain_until : deadline;
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
      int ready = poll(fds, count, static_cast<int>(std::clamp<std::int64_t>(wait, 0, 60'000)));
      if (ready < 0 && errno != EINTR) {
        ready = 0; // cannot happen with valid descriptors; the deadlines still end the run
      }
      if (ready > 0) {
        if (out_at >= 0 && fds[out_at].revents != 0) {
          read_some(m_out, buffer, sizeof buffer);
        }
        if (err_at >= 0 && fds[err_at].revents != 0) {
          read_some(m_err, buffer, sizeof buffer);
        }
        if (in_at >= 0 && fds[in_at].revents != 0) {
          write_some(stdin_written);
        }
        if (exit_at >= 0 && fds[exit_at].revents != 0) {
          on_exit();
          // A descendant that left the group may hold the pipes for ever: read a little longer.
          drain_until = Clock::now() + m_spec.output_drain;
        }
      }
      const auto now = Clock::now();
      if (!m_reaped && now >= deadline) {
        if (!m_outcome.timed_out) {
          m_outcome.timed_out = true;
          m_state.signal_group(this, SIGTERM);
          deadline = now + m_spec.kill_grace;
        } else if (!killed) {
          killed = true;
          m_state.signal_group(this, SIGKILL);
          deadline = now + std::chrono::hours(24); // the exit comes now
        }
      }
      if (m_reaped && now >= drain_until) {
        close_capture(m_out);
        close_capture(m_err);
      }
    }
    m_stdin = OwnedFd();
    if (m_outcome.timed_out) {
      m_outcome.status = RunStatus::timeout;
    }
  }

  void read_some(Capture& capture, char* buffer, std::size_t size) {
    // poll said readable: one read returns what is there (or end of file) without blocking.
    ssize_t got = read(capture.fd.get(), buffer, size);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) {
      return;
    }
    if (got <= 0) {
      close_capture(capture);
      return;
    }
    const std::string_view piece(buffer, static_cast<std::size_t>(got));
    if (capture.mask.empty()) {
      store(capture, piece);
    } else if (capture.text->size() >= m_spec.output_limit) {
      *capture.truncated = true; // nothing more is stored: no need to mask it
    } else {
      capture.masked.clear();
      capture.mask.feed(piece, capture.masked);
      store(capture, capture.masked);
    }
  }

  // Keeps what fits of `piece` under the output limit.
  void store(Capture& capture, std::string_view piece) {
    std::size_t room = m_spec.output_limit - std::min(m_spec.output_limit, capture.text->size());
    std::size_t kept = std::min(room, piece.size());
    capture.text->append(piece.substr(0, kept));
    *capture.truncated = *capture.truncated || kept < piece.size();
  }

  // Ends a stream: what the mask held back, waiting for the rest of a possible secret, is
  // stored now.
  void close_capture(Capture& capture) {
    if (capture.fd.get() < 0) {
      return;
    }
    capture.fd = OwnedFd();
    if (!capture.mask.empty()) {
      capture.masked.clear();
      capture.mask.finish(capture.masked);
      store(capture, capture.masked);
    }
  }

  // The child may exit without reading: EPIPE (SIGPIPE is ignored) just ends the write.
  void write_some(std::size_t& written) {
    const std::string& data = *m_spec.stdin_data;
    ssize_t put = write(m_stdin.get(), data.data() + written, data.size() - written);
    if (put < 0 && (errno == EINTR || errno == EAGAIN)) {
      return;
    }
    if (put > 0) {
      written += static_cast<std::size_t>(put);
    }
    if (put < 0 || written >= data.size()) {
      m_stdin = OwnedFd();
    }
  }

  void on_exit() {
    // Descendants die with the leader; killing them before the reap keeps the group id ours.
    m_state.kill_before_reap(this, m_pid, m_cgroup);
    int status = reap();
    if (WIFEXITED(status)) {
      m_outcome.exit_code = WEXITSTATUS(status);
      m_outcome.status = m_outcome.exit_code == 0 ? RunStatus::ok : RunStatus::exit;
    } else if (WIFSIGNALED(status)) {
      m_outcome.signal = WTERMSIG(status);
      m_outcome.status = RunStatus::signal;
    }
    m_exit = OwnedFd();
  }

  // Waits for the (already dead) leader; returns its wait status, or exit 255 had someone
  // else reaped it (SIGCHLD ignored, waitpid(-1)), which the Launcher's contract forbids.
  int reap() {
    int status = 0;
    pid_t got = -1;
    do {
      got = waitpid(m_pid, &status, 0);
    } while (got < 0 && errno == EINTR);
    m_reaped = true;
    return got == m_pid ? status : 255 << 8;
  }

  Processes& m_state;
  LaunchSpec& m_spec;
  const RunCgroup* m_cgroup;
  SparePipes* m_spares;
  RunOutcome m_outcome;
  pid_t m_pid = 0;
  bool m_reaped = false;
  OwnedFd m_exit; // the pidfd: readable once the child has exited
  OwnedFd m_stdin;
  Capture m_out;
  Capture m_err;
};

} // namespace

RunOutcome execute(Processes& processes, LaunchSpec& spec, const RunCgroup* cgroup, SparePipes* spares,
                   const StartHook& before_start, const std::function<void()>& after_start) {
  return Execution(processes, spec, cgroup, spares).run(before_start, after_start);
}

} // namespace eventmgr::handlers::detail
