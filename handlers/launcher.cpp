// SPDX-License-Identifier: MIT
#include "handlers/launcher.hpp"

#include "handlers/execution.hpp"

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace eventmgr::handlers {

namespace asio = boost::asio;

// Shared by the launcher, its lanes and the handlers they post: the running processes and
// the count of runs not reported yet.
struct Launcher::State {
  detail::Processes processes;
  std::atomic<std::size_t> outstanding{0};
  // Runs holding a slot, by LaunchSpec::slot_key; lanes waiting for one wait on slot_freed.
  std::mutex slot_mutex;
  std::condition_variable slot_freed;
  std::map<std::int64_t, int> slots_in_use;
  bool slots_closed = false; // stopping: a run waiting for a slot is taken back
};

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
    HoldTest hold;
  };
  std::deque<Job> jobs;
  bool closing = false;
  bool held = false;                         // a run's hold test fired: nothing runs until release_hold()
  const detail::RunCgroup* cgroup = nullptr; // owned by State::processes; null: none
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

// An outcome on its way to the executor.
struct Delivery {
  asio::any_io_executor tracked; // the job's: kept the io_context running while it was queued
  std::function<void(RunOutcome)> done;
  RunOutcome outcome;
};

// Posts `batch` (not empty) as one handler that calls each `done` in order; the handler holds
// the tracked executors until it has run.
void post_outcomes(const std::shared_ptr<Launcher::State>& state, std::vector<Delivery> batch) {
  asio::any_io_executor tracked = batch.front().tracked;
  asio::post(tracked, [state, batch = std::move(batch)]() mutable {
    for (auto& item : batch) {
      state->outstanding.fetch_sub(1);
      if (item.done) {
        item.done(std::move(item.outcome));
      }
    }
  });
}

// A job taken back from a held lane, as reported: skipped and held (a decided outcome too:
// it must come after the retried run).
Delivery held_delivery(Launcher::Lane::Job job) {
  RunOutcome outcome;
  outcome.skipped = true;
  outcome.held = true;
  outcome.start_error = "not started: held behind a run to be retried";
  return Delivery{std::move(job.tracked), std::move(job.done), std::move(outcome)};
}

// Waits until a run of `spec` may start under its concurrency limit and takes the slot; false
// when the launcher is stopping (the run is taken back).
bool take_slot(Launcher::State& state, const LaunchSpec& spec) {
  std::unique_lock lock(state.slot_mutex);
  state.slot_freed.wait(lock, [&] {
    return state.slots_closed || state.slots_in_use[spec.slot_key] < spec.slot_limit;
  });
  if (state.slots_closed) {
    return false;
  }
  ++state.slots_in_use[spec.slot_key];
  return true;
}

void give_slot(Launcher::State& state, const LaunchSpec& spec) {
  {
    std::lock_guard lock(state.slot_mutex);
    if (--state.slots_in_use[spec.slot_key] <= 0) {
      state.slots_in_use.erase(spec.slot_key);
    }
  }
  state.slot_freed.notify_all();
}

// Outcomes wait on the lane in batches: posting one wakes the event loop (an eventfd write
// and an epoll_ctl), and its work on them competes with the runs for the CPUs.
constexpr std::size_t k_delivery_batch = 2;

void lane_main(Launcher::Lane& lane, std::shared_ptr<Launcher::State> state) {
  std::vector<Delivery> pending; // outcomes not posted yet, in queue order
  detail::SparePipes spares;
  auto deliver_pending = [&] {
    if (!pending.empty()) {
      post_outcomes(state, std::exchange(pending, {}));
    }
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
      lane.wake.wait(lock, [&] { return lane.closing || (!lane.held && !lane.jobs.empty()); });
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
    if (lane.cgroup != nullptr && lane.cgroup->killed()) {
      lane.cgroup = state->processes.cgroups.replace(lane.cgroup);
    }
    RunOutcome outcome;
    if (job.decided) {
      after_start();
      outcome = std::move(*job.decided);
    } else if (job.spec.slot_limit > 0 && !(deliver_pending(), take_slot(*state, job.spec))) {
      outcome.skipped = true;
      outcome.start_error = "not started: the daemon is stopping";
    } else {
      try {
        outcome =
            detail::execute(state->processes, job.spec, lane.cgroup, &spares, job.before_start, after_start);
      } catch (const std::exception& e) { // out of memory: the run is reported, the lane goes on
        deliver_pending();
        outcome = RunOutcome{};
        outcome.start_error = "cannot start " +
                              (job.spec.argv.empty() ? std::string("handler") : job.spec.argv.front()) +
                              ": " + e.what();
      }
      if (job.spec.slot_limit > 0) {
        give_slot(*state, job.spec);
      }
    }
    if (job.hold && job.hold(outcome)) {
      // Nothing queued behind it may run before the event loop decides (a retry keeps the
      // event's remaining handlers and its key's later events waiting): all is taken back.
      outcome.holds_lane = true;
      pending.push_back(Delivery{std::move(job.tracked), std::move(job.done), std::move(outcome)});
      std::deque<Launcher::Lane::Job> taken;
      {
        std::lock_guard lock(lane.mutex);
        lane.held = true;
        taken.swap(lane.jobs);
      }
      for (auto& held_job : taken) {
        pending.push_back(held_delivery(std::move(held_job)));
      }
      deliver_pending();
      continue;
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
  {
    std::lock_guard lock(m_state->slot_mutex);
    m_state->slots_closed = true;
  }
  m_state->slot_freed.notify_all();
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
    lane->cgroup = m_state->processes.cgroups.make_leaf();
    lane->thread = std::thread(lane_main, std::ref(*lane), m_state);
    m_lanes.push_back(std::move(lane));
  }
  return *m_lanes[index];
}

void Launcher::async_run(LaunchSpec spec, std::function<void(RunOutcome)> done, std::size_t lane_index,
                         StartHook before_start, HoldTest hold) {
  m_state->outstanding.fetch_add(1);
  Lane& target = lane(lane_index);
  std::lock_guard lock(target.mutex);
  target.jobs.push_back(Lane::Job{std::move(spec), std::nullopt, std::move(done), std::move(before_start),
                                  tracked(), std::move(hold)});
  target.wake.notify_one();
}

void Launcher::async_report(RunOutcome outcome, std::function<void(RunOutcome)> done, std::size_t lane_index,
                            HoldTest hold) {
  m_state->outstanding.fetch_add(1);
  Lane& target = lane(lane_index);
  std::lock_guard lock(target.mutex);
  target.jobs.push_back(
      Lane::Job{LaunchSpec{}, std::move(outcome), std::move(done), nullptr, tracked(), std::move(hold)});
  target.wake.notify_one();
}

void Launcher::release_hold(std::size_t lane_index) {
  if (lane_index >= m_lanes.size()) {
    return;
  }
  Lane& target = *m_lanes[lane_index];
  std::vector<Delivery> batch;
  {
    std::lock_guard lock(target.mutex);
    if (!target.held) {
      return;
    }
    // Queued while held, before the caller knew: taken back too.
    for (auto& job : target.jobs) {
      batch.push_back(held_delivery(std::move(job)));
    }
    target.jobs.clear();
    target.held = false;
  }
  if (!batch.empty()) {
    post_outcomes(m_state, std::move(batch));
  }
}

void Launcher::cancel_queued() {
  {
    std::lock_guard lock(m_state->slot_mutex);
    m_state->slots_closed = true; // a lane waiting for a slot takes its run back
  }
  m_state->slot_freed.notify_all();
  for (auto& lane : m_lanes) {
    std::deque<Lane::Job> taken;
    {
      std::lock_guard lock(lane->mutex);
      taken.swap(lane->jobs);
    }
    std::vector<Delivery> batch;
    for (auto& job : taken) {
      RunOutcome outcome = job.decided ? std::move(*job.decided) : RunOutcome{};
      if (!job.decided) {
        outcome.skipped = true;
        outcome.start_error = "not started: the daemon is stopping";
      }
      batch.push_back(Delivery{std::move(job.tracked), std::move(job.done), std::move(outcome)});
    }
    if (!batch.empty()) {
      post_outcomes(m_state, std::move(batch));
    }
  }
}

void Launcher::kill_all() {
  m_state->processes.kill_all();
}

bool Launcher::contains_runs() const {
  return m_state->processes.cgroups.available();
}

const std::string& Launcher::containment() const {
  return m_state->processes.cgroups.describe();
}

std::size_t Launcher::running() const {
  return m_state->outstanding.load();
}

RunOutcome run_blocking(LaunchSpec spec) {
  ignore_sigpipe();
  detail::Processes processes;
  return detail::execute(processes, spec, processes.cgroups.make_leaf());
}

} // namespace eventmgr::handlers
