// SPDX-License-Identifier: MIT
#include "handlers/launcher.hpp"

#include "handlers/spawn.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace eventmgr::handlers {

namespace asio = boost::asio;

// The process groups of the runs not finished yet. A run's entry turns 0 before its leader is
// reaped, under the mutex, so no signal can ever reach a recycled process group id.
struct Launcher::State {
  mutable std::mutex mutex;
  std::unordered_map<const void*, pid_t> groups;

  void signal_group(const void* run, int signal) {
    std::lock_guard lock(mutex);
    auto found = groups.find(run);
    if (found != groups.end() && found->second > 0) {
      kill(-found->second, signal);
    }
  }
  // Kills what is left of the group of `run` and forgets it: the caller reaps the leader next.
  void kill_before_reap(const void* run, pid_t pid) {
    std::lock_guard lock(mutex);
    kill(-pid, SIGKILL);
    auto found = groups.find(run);
    if (found != groups.end()) {
      found->second = 0;
    }
  }
};

namespace {

constexpr std::size_t k_read_chunk = 16 * 1024;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string describe_failure(const LaunchSpec& spec, detail::SpawnStep step, int error) {
  const std::string& path = spec.argv.front();
  std::string cause = std::strerror(error);
  switch (step) {
  case detail::SpawnStep::exec:
    return "cannot execute " + path + ": " + cause;
  case detail::SpawnStep::groups:
  case detail::SpawnStep::gid:
  case detail::SpawnStep::uid:
    return "cannot switch to user " + (spec.user ? spec.user->name : std::string("?")) + ": " + cause;
  case detail::SpawnStep::session:
    return "cannot start " + path + ": cannot create a session: " + cause;
  case detail::SpawnStep::stdio:
    return "cannot start " + path + ": cannot set up standard input and output: " + cause;
  case detail::SpawnStep::descriptors:
    return "cannot start " + path + ": cannot close inherited descriptors: " + cause;
  case detail::SpawnStep::cwd:
    return "cannot start " + path + ": cannot change directory to /: " + cause;
  case detail::SpawnStep::limits:
    return "cannot start " + path + ": cannot set the configured rlimits: " + cause;
  case detail::SpawnStep::none:
  case detail::SpawnStep::prepare:
    break;
  }
  return "cannot start " + path + ": " + cause;
}

// Why `spec` cannot be started at all, or "" if it can.
std::string refusal(const LaunchSpec& spec) {
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
  if (spec.user && spec.user->uid != geteuid() && geteuid() != 0) {
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

// One output stream: capture up to the limit, then keep draining and discarding.
struct Capture {
  explicit Capture(const asio::any_io_executor& executor) : pipe(executor) {}
  asio::posix::stream_descriptor pipe;
  std::unique_ptr<char[]> buffer; // not zero-filled: two of them per run
  std::size_t buffer_size = 0;
  bool open = false;
};

// One handler process from clone to `done`. Lives in shared_ptrs held by its pending
// operations; every handler runs on m_strand.
class Run : public std::enable_shared_from_this<Run> {
public:
  Run(const asio::any_io_executor& executor, std::shared_ptr<Launcher::State> state, LaunchSpec spec,
      std::function<void(RunOutcome)> done)
      : m_strand(asio::make_strand(executor)), m_state(std::move(state)), m_spec(std::move(spec)),
        m_done(std::move(done)), m_exit(m_strand), m_stdin(m_strand), m_out(m_strand), m_err(m_strand),
        m_deadline(m_strand), m_drain(m_strand) {}
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  // If the io_context dies first: no process is left running or unreaped.
  ~Run() {
    if (m_pid > 0 && !m_reaped) {
      m_state->kill_before_reap(this, m_pid);
      reap();
    }
    std::lock_guard lock(m_state->mutex);
    m_state->groups.erase(this);
  }

  // Starts the process (on the caller's thread) and the watch of it (on the strand).
  void start() {
    m_outcome.started_ms = now_ms();
    {
      std::lock_guard lock(m_state->mutex);
      m_state->groups[this] = 0; // counted by running(); no group to signal yet
    }
    if (std::string refused = refusal(m_spec); !refused.empty()) {
      fail_to_start(std::move(refused));
      return;
    }
    if (std::string failed = launch(); !failed.empty()) {
      fail_to_start(std::move(failed));
      return;
    }
    asio::post(m_strand, [self = shared_from_this()] { self->watch(); });
  }

private:
  // Spawns the child and hands the parent's pipe ends to Asio; returns the start error or "".
  std::string launch() {
    detail::Pipe out;
    detail::Pipe err;
    detail::Pipe in;
    detail::OwnedFd null;
    if (!detail::make_pipe(out) || !detail::make_pipe(err)) {
      return describe_failure(m_spec, detail::SpawnStep::prepare, errno);
    }
    if (m_spec.stdin_data) {
      if (!detail::make_pipe(in)) {
        return describe_failure(m_spec, detail::SpawnStep::prepare, errno);
      }
    } else {
      null = detail::open_null();
      if (null.get() < 0) {
        return describe_failure(m_spec, detail::SpawnStep::prepare, errno);
      }
    }

    std::vector<char*> argv = null_terminated(m_spec.argv);
    std::vector<char*> envp = null_terminated(m_spec.env);
    bool as_root = geteuid() == 0;
    detail::SpawnPlan plan;
    plan.path = m_spec.argv.front().c_str();
    plan.argv = argv.data();
    plan.envp = envp.data();
    plan.cwd = m_spec.cwd.c_str();
    plan.umask = m_spec.umask;
    // Not root: refusal() already made sure the user, if any, is the daemon's own.
    if (m_spec.user && as_root) {
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
    plan.stdin_fd = m_spec.stdin_data ? in.read.get() : null.get();
    plan.stdout_fd = out.write.get();
    plan.stderr_fd = err.write.get();

    detail::SpawnResult spawned = detail::spawn(plan);
    if (spawned.pid < 0) {
      return describe_failure(m_spec, spawned.failed, spawned.error);
    }
    m_pid = spawned.pid;
    m_outcome.pid = m_pid;
    {
      std::lock_guard lock(m_state->mutex);
      m_state->groups[this] = m_pid;
    }

    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, m_pid, 0));
    if (pidfd < 0) {
      int error = errno;
      m_state->kill_before_reap(this, m_pid);
      reap();
      return "cannot start " + m_spec.argv.front() + ": cannot watch the process: " + std::strerror(error);
    }
    m_exit.assign(pidfd);
    open_capture(m_out, out.read.release());
    open_capture(m_err, err.read.release());
    if (m_spec.stdin_data) {
      m_stdin.assign(in.write.release());
      m_stdin.non_blocking(true);
    }
    return {};
  }

  void open_capture(Capture& capture, int fd) {
    capture.pipe.assign(fd);
    capture.pipe.non_blocking(true);
    capture.buffer_size = std::min(k_read_chunk, std::max<std::size_t>(m_spec.output_limit, 4096));
    capture.buffer.reset(new char[capture.buffer_size]);
    capture.open = true;
  }

  void fail_to_start(std::string message) {
    m_outcome.status = RunStatus::not_started;
    m_outcome.start_error = std::move(message);
    m_outcome.finished_ms = now_ms();
    asio::post(m_strand, [self = shared_from_this()] { self->complete(); });
  }

  void watch() {
    read_output(m_out, m_outcome.out, m_outcome.out_truncated);
    read_output(m_err, m_outcome.err, m_outcome.err_truncated);
    if (m_spec.stdin_data) {
      // The child may exit without reading: EPIPE (SIGPIPE is ignored) just ends the write.
      asio::async_write(m_stdin, asio::buffer(*m_spec.stdin_data),
                        [self = shared_from_this()](const boost::system::error_code&, std::size_t) {
                          boost::system::error_code ignored;
                          self->m_stdin.close(ignored);
                        });
    }
    m_exit.async_wait(asio::posix::stream_descriptor::wait_read,
                      [self = shared_from_this()](const boost::system::error_code& ec) { self->on_exit(ec); });
    m_deadline.expires_after(m_spec.timeout);
    m_deadline.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->m_reaped) {
        return;
      }
      self->on_timeout();
    });
  }

  void read_output(Capture& capture, std::string& text, bool& truncated) {
    capture.pipe.async_read_some(
        asio::buffer(capture.buffer.get(), capture.buffer_size),
        [self = shared_from_this(), &capture, &text, &truncated](const boost::system::error_code& ec,
                                                                 std::size_t size) {
          if (ec) { // EOF, or closed after the drain: the stream is done either way
            boost::system::error_code ignored;
            capture.pipe.close(ignored);
            capture.open = false;
            self->finish_if_done();
            return;
          }
          std::size_t room = self->m_spec.output_limit - std::min(self->m_spec.output_limit, text.size());
          std::size_t kept = std::min(room, size);
          text.append(capture.buffer.get(), kept);
          truncated = truncated || kept < size;
          self->read_output(capture, text, truncated);
        });
  }

  void on_timeout() {
    m_outcome.timed_out = true;
    m_state->signal_group(this, SIGTERM);
    m_deadline.expires_after(m_spec.kill_grace);
    m_deadline.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->m_reaped) {
        return;
      }
      self->m_state->signal_group(self.get(), SIGKILL);
    });
  }

  void on_exit(const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted) {
      return;
    }
    // Any other error would leave the run waiting forever: kill and reap it as on exit.
    // Descendants die with the leader; killing them before the reap keeps the group id ours.
    m_state->kill_before_reap(this, m_pid);
    int status = reap();
    if (WIFEXITED(status)) {
      m_outcome.exit_code = WEXITSTATUS(status);
      m_outcome.status = m_outcome.exit_code == 0 ? RunStatus::ok : RunStatus::exit;
    } else if (WIFSIGNALED(status)) {
      m_outcome.signal = WTERMSIG(status);
      m_outcome.status = RunStatus::signal;
    }
    if (m_outcome.timed_out) {
      m_outcome.status = RunStatus::timeout;
    }
    boost::system::error_code ignored;
    m_deadline.cancel();
    m_exit.close(ignored);
    if (m_out.open || m_err.open) {
      // A descendant that left the group may hold the pipes for ever: read a little longer.
      m_drain.expires_after(m_spec.output_drain);
      m_drain.async_wait([self = shared_from_this()](const boost::system::error_code& drain_ec) {
        if (drain_ec) {
          return;
        }
        // Closing (not cancelling) also ends a read that is about to be started again.
        boost::system::error_code close_ec;
        self->m_out.pipe.close(close_ec);
        self->m_err.pipe.close(close_ec);
      });
    }
    finish_if_done();
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

  void finish_if_done() {
    if (!m_reaped || m_out.open || m_err.open || m_completed) {
      return;
    }
    boost::system::error_code ignored;
    m_drain.cancel();
    m_stdin.close(ignored);
    m_outcome.finished_ms = now_ms();
    complete();
  }

  void complete() {
    if (m_completed) {
      return;
    }
    m_completed = true;
    {
      std::lock_guard lock(m_state->mutex);
      m_state->groups.erase(this);
    }
    auto done = std::move(m_done);
    if (done) {
      done(std::move(m_outcome));
    }
  }

  asio::strand<asio::any_io_executor> m_strand;
  std::shared_ptr<Launcher::State> m_state;
  LaunchSpec m_spec;
  std::function<void(RunOutcome)> m_done;
  RunOutcome m_outcome;
  pid_t m_pid = 0;
  bool m_reaped = false;
  bool m_completed = false;
  asio::posix::stream_descriptor m_exit; // the pidfd: readable once the child has exited
  asio::posix::stream_descriptor m_stdin;
  Capture m_out;
  Capture m_err;
  asio::steady_timer m_deadline; // time-out, then kill_grace
  asio::steady_timer m_drain;
};

} // namespace

Launcher::Launcher(boost::asio::any_io_executor executor)
    : m_executor(std::move(executor)), m_state(std::make_shared<State>()) {
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, nullptr);
  }
}

void Launcher::async_run(LaunchSpec spec, std::function<void(RunOutcome)> done) {
  std::make_shared<Run>(m_executor, m_state, std::move(spec), std::move(done))->start();
}

void Launcher::kill_all() {
  std::lock_guard lock(m_state->mutex);
  for (const auto& [run, pid] : m_state->groups) {
    if (pid > 0) {
      kill(-pid, SIGKILL);
    }
  }
}

std::size_t Launcher::running() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->groups.size();
}

RunOutcome run_blocking(LaunchSpec spec) {
  asio::io_context context;
  Launcher launcher(context.get_executor());
  RunOutcome result;
  launcher.async_run(std::move(spec), [&result](RunOutcome outcome) { result = std::move(outcome); });
  context.run();
  return result;
}

} // namespace eventmgr::handlers
