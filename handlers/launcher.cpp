// SPDX-License-Identifier: MIT
#include "handlers/launcher.hpp"

#include "handlers/spawn.hpp"

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

namespace eventmgr::handlers {

namespace asio = boost::asio;

// Shared by the launcher, its lanes and the handlers they post: the process groups of the
// runs not finished yet (a run's entry turns 0 before its leader is reaped, under the mutex,
// so no signal can ever reach a recycled process group id), /dev/null for stdin, and the count
// of runs not reported yet.
struct Launcher::State {
  mutable std::mutex mutex;
  std::unordered_map<const void*, pid_t> groups;
  detail::OwnedFd null = detail::open_null(); // -1 if it cannot be opened: then per run
  std::atomic<std::size_t> outstanding{0};
  const uid_t euid = geteuid(); // read once, not per run

  void set_group(const void* run, pid_t pid) {
    std::lock_guard lock(mutex);
    groups[run] = pid;
  }
  void forget(const void* run) {
    std::lock_guard lock(mutex);
    groups.erase(run);
  }
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

// One output stream of a run: captured up to the limit, then drained and dropped.
struct Capture {
  detail::OwnedFd fd;
  std::string* text = nullptr;
  bool* truncated = nullptr;
};

using Clock = std::chrono::steady_clock;

// The output pipes of a lane's next run, made while the current run's process runs, so that
// the next launch does not wait for them.
struct SparePipes {
  detail::Pipe out;
  detail::Pipe err;
  bool ready = false;

  void prepare() {
    if (!ready) {
      ready = detail::make_pipe(out) && detail::make_pipe(err);
    }
  }
  // Moves them to `to_out`/`to_err`; false (and nothing moved) when none are ready.
  bool take(detail::Pipe& to_out, detail::Pipe& to_err) {
    if (!ready) {
      return false;
    }
    to_out = std::move(out);
    to_err = std::move(err);
    ready = false;
    return true;
  }
};

// One handler process from its launch to its reaping, on the calling thread.
class Execution {
public:
  // `spares`, when given, provides this run's pipes and gets the next run's.
  Execution(Launcher::State& state, LaunchSpec& spec, SparePipes* spares = nullptr)
    : m_state(state), m_spec(spec), m_spares(spares) {}
  Execution(const Execution&) = delete;
  Execution& operator=(const Execution&) = delete;
  ~Execution() {
    if (m_pid > 0 && !m_reaped) { // an exception left it running: never leave a zombie
      m_state.kill_before_reap(this, m_pid);
      reap();
    }
    m_state.forget(this);
  }

  // `after_start`, if set, is called once the process runs (or failed to start).
  RunOutcome run(const Launcher::StartHook& before_start, const std::function<void()>& after_start = nullptr) {
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
    detail::Pipe out;
    detail::Pipe err;
    detail::Pipe in;
    detail::OwnedFd own_null;
    const bool spared = m_spares != nullptr && m_spares->take(out, err);
    if (!spared && (!detail::make_pipe(out) || !detail::make_pipe(err))) {
      return describe_failure(m_spec, detail::SpawnStep::prepare, errno);
    }
    int stdin_fd = m_state.null.get();
    if (m_spec.stdin_data) {
      if (!detail::make_pipe(in)) {
        return describe_failure(m_spec, detail::SpawnStep::prepare, errno);
      }
      stdin_fd = in.read.get();
    } else if (stdin_fd < 0) {
      own_null = detail::open_null();
      if (own_null.get() < 0) {
        return describe_failure(m_spec, detail::SpawnStep::prepare, errno);
      }
      stdin_fd = own_null.get();
    }

    std::vector<char*> argv = null_terminated(m_spec.argv);
    std::vector<char*> envp = null_terminated(m_spec.env);
    detail::SpawnPlan plan;
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
    plan.stdin_fd = stdin_fd;
    plan.stdout_fd = out.write.get();
    plan.stderr_fd = err.write.get();

    detail::SpawnResult spawned = detail::spawn(plan);
    if (spawned.pid < 0) {
      return describe_failure(m_spec, spawned.failed, spawned.error);
    }
    m_pid = spawned.pid;
    m_outcome.pid = m_pid;
    m_state.set_group(this, m_pid);
    if (spawned.pidfd < 0) {
      int error = errno;
      m_state.kill_before_reap(this, m_pid);
      reap();
      return "cannot start " + m_spec.argv.front() + ": cannot watch the process: " + std::strerror(error);
    }
    m_exit = detail::OwnedFd(spawned.pidfd);
    // The child's ends close here, so its exit shows as end of file.
    m_out = Capture{std::move(out.read), &m_outcome.out, &m_outcome.out_truncated};
    m_err = Capture{std::move(err.read), &m_outcome.err, &m_outcome.err_truncated};
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
        m_out.fd = detail::OwnedFd();
        m_err.fd = detail::OwnedFd();
      }
    }
    m_stdin = detail::OwnedFd();
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
      capture.fd = detail::OwnedFd();
      return;
    }
    const auto length = static_cast<std::size_t>(got);
    std::size_t room = m_spec.output_limit - std::min(m_spec.output_limit, capture.text->size());
    std::size_t kept = std::min(room, length);
    capture.text->append(buffer, kept);
    *capture.truncated = *capture.truncated || kept < length;
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
      m_stdin = detail::OwnedFd();
    }
  }

  void on_exit() {
    // Descendants die with the leader; killing them before the reap keeps the group id ours.
    m_state.kill_before_reap(this, m_pid);
    int status = reap();
    if (WIFEXITED(status)) {
      m_outcome.exit_code = WEXITSTATUS(status);
      m_outcome.status = m_outcome.exit_code == 0 ? RunStatus::ok : RunStatus::exit;
    } else if (WIFSIGNALED(status)) {
      m_outcome.signal = WTERMSIG(status);
      m_outcome.status = RunStatus::signal;
    }
    m_exit = detail::OwnedFd();
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

  Launcher::State& m_state;
  LaunchSpec& m_spec;
  SparePipes* m_spares;
  RunOutcome m_outcome;
  pid_t m_pid = 0;
  bool m_reaped = false;
  detail::OwnedFd m_exit; // the pidfd: readable once the child has exited
  detail::OwnedFd m_stdin;
  Capture m_out;
  Capture m_err;
};

} // namespace

// A thread running its queue of runs one after another.
struct Launcher::Lane {
  std::mutex mutex;
  std::condition_variable wake;
  struct Job {
    LaunchSpec spec;
    std::optional<RunOutcome> decided; // reported without a process
    std::function<void(RunOutcome)> done;
    StartHook before_start;
    asio::any_io_executor tracked; // counts as work of the io_context until the job is reported
  };
  std::deque<Job> jobs;
  bool closing = false;
  std::thread thread;
};

namespace {

// Writing stdin to a handler that exited gives EPIPE instead of killing the daemon.
void ignore_sigpipe() {
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, nullptr);
  }
}

// Posts the outcome through the job's tracked executor, which kept the io_context running
// while the run was queued or running.
void deliver(asio::any_io_executor& executor, const std::shared_ptr<Launcher::State>& state,
             std::function<void(RunOutcome)> done, RunOutcome outcome) {
  asio::post(executor, [state, done = std::move(done), outcome = std::move(outcome)]() mutable {
    state->outstanding.fetch_sub(1);
    if (done) {
      done(std::move(outcome));
    }
  });
  executor = asio::any_io_executor(); // the posted handler is the io_context's work now
}

// An outcome on its way to the executor.
struct Delivery {
  asio::any_io_executor tracked;
  std::function<void(RunOutcome)> done;
  RunOutcome outcome;
};

// Outcomes wait on the lane in batches: posting one wakes the event loop (an eventfd write
// and an epoll_ctl), and its work on them competes with the runs for the CPUs.
constexpr std::size_t k_delivery_batch = 2;

void lane_main(Launcher::Lane& lane, std::shared_ptr<Launcher::State> state) {
  std::vector<Delivery> pending; // outcomes not posted yet, in queue order
  SparePipes spares;
  auto deliver_pending = [&] {
    if (pending.empty()) {
      return;
    }
    asio::any_io_executor tracked = pending.front().tracked;
    asio::post(tracked, [state, batch = std::move(pending)]() mutable {
      for (auto& item : batch) {
        state->outstanding.fetch_sub(1);
        if (item.done) {
          item.done(std::move(item.outcome));
        }
      }
    });
    pending.clear();
  };
  for (;;) {
    Launcher::Lane::Job job;
    bool queue_empty = false;
    {
      std::unique_lock lock(lane.mutex);
      if (lane.jobs.empty() && !lane.closing) {
        lock.unlock();
        deliver_pending(); // before waiting: the event loop queues more once it has them
        lock.lock();
      }
      lane.wake.wait(lock, [&] { return lane.closing || !lane.jobs.empty(); });
      if (lane.closing) {
        return;
      }
      job = std::move(lane.jobs.front());
      lane.jobs.pop_front();
      queue_empty = lane.jobs.empty();
    }
    // Posted once this run has started (the launch does not wait for the event loop), at
    // once when nothing else is queued (the event loop must queue more), else in batches.
    auto after_start = [&] {
      if (queue_empty || pending.size() >= k_delivery_batch) {
        deliver_pending();
      }
    };
    RunOutcome outcome;
    if (job.decided) {
      after_start();
      outcome = std::move(*job.decided);
    } else {
      try {
        outcome = Execution(*state, job.spec, &spares).run(job.before_start, after_start);
      } catch (const std::exception& e) { // out of memory: the run is reported, the lane goes on
        deliver_pending();
        outcome = RunOutcome{};
        outcome.start_error = "cannot start " + (job.spec.argv.empty() ? std::string("handler") : job.spec.argv.front()) +
                              ": " + e.what();
      }
    }
    pending.push_back(Delivery{std::move(job.tracked), std::move(job.done), std::move(outcome)});
  }
}

} // namespace

Launcher::Launcher(boost::asio::any_io_executor executor)
    : m_executor(std::move(executor)), m_state(std::make_shared<State>()) {
  ignore_sigpipe();
}

Launcher::~Launcher() {
  for (auto& lane : m_lanes) {
    std::lock_guard lock(lane->mutex);
    lane->closing = true;
    lane->wake.notify_one();
  }
  // A lane watching a process returns once it is dead (and its output drained, bounded).
  kill_all();
  for (auto& lane : m_lanes) {
    lane->thread.join();
  }
}

asio::any_io_executor Launcher::tracked() const {
  return asio::prefer(m_executor, asio::execution::outstanding_work.tracked);
}

Launcher::Lane& Launcher::lane(std::size_t index) {
  while (m_lanes.size() <= index) {
    auto lane = std::make_unique<Lane>();
    lane->thread = std::thread(lane_main, std::ref(*lane), m_state);
    m_lanes.push_back(std::move(lane));
  }
  return *m_lanes[index];
}

void Launcher::async_run(LaunchSpec spec, std::function<void(RunOutcome)> done, std::size_t lane_index,
                         StartHook before_start) {
  m_state->outstanding.fetch_add(1);
  Lane& target = lane(lane_index);
  std::lock_guard lock(target.mutex);
  target.jobs.push_back(Lane::Job{std::move(spec), std::nullopt, std::move(done), std::move(before_start), tracked()});
  target.wake.notify_one();
}

void Launcher::async_report(RunOutcome outcome, std::function<void(RunOutcome)> done, std::size_t lane_index) {
  m_state->outstanding.fetch_add(1);
  Lane& target = lane(lane_index);
  std::lock_guard lock(target.mutex);
  target.jobs.push_back(Lane::Job{LaunchSpec{}, std::move(outcome), std::move(done), nullptr, tracked()});
  target.wake.notify_one();
}

void Launcher::cancel_queued() {
  for (auto& lane : m_lanes) {
    std::deque<Lane::Job> taken;
    {
      std::lock_guard lock(lane->mutex);
      taken.swap(lane->jobs);
    }
    for (auto& job : taken) {
      RunOutcome outcome = job.decided ? std::move(*job.decided) : RunOutcome{};
      if (!job.decided) {
        outcome.skipped = true;
        outcome.start_error = "not started: the daemon is stopping";
      }
      deliver(job.tracked, m_state, std::move(job.done), std::move(outcome));
    }
  }
}

void Launcher::kill_all() {
  std::lock_guard lock(m_state->mutex);
  for (const auto& [run, pid] : m_state->groups) {
    if (pid > 0) {
      kill(-pid, SIGKILL);
    }
  }
}

std::size_t Launcher::running() const { return m_state->outstanding.load(); }

RunOutcome run_blocking(LaunchSpec spec) {
  ignore_sigpipe();
  Launcher::State state;
  return Execution(state, spec).run(nullptr);
}

} // namespace eventmgr::handlers
