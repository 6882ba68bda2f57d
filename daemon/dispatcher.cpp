// SPDX-License-Identifier: MIT
#include "daemon/dispatcher.hpp"

#include "common/clock.hpp"
#include "common/sqlite.hpp"
#include "common/string_list.hpp"
#include "common/text.hpp"
#include "events/event_json.hpp"
#include "handlers/run_plan.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <unistd.h>

#include <algorithm>
#include <map>

namespace eventmgr::daemon {
namespace {

constexpr std::size_t k_window = 1024;
// The payloads of the events loaded and not finished (waiting in the window or queued on a
// lane) stay under this many bytes, beyond one event per lane: a pickup record may be 1 MiB,
// and 1024 of them would hold a gigabyte.
constexpr std::size_t k_max_loaded_bytes = 16 * 1024 * 1024;
// Events queued on one lane: the one running and the next three, whose first handlers then
// start as soon as the previous run ends, on the lane's thread, while the lane reports the
// outcomes in batches.
constexpr std::size_t k_lane_depth = 4;
// The lane of a parked event's keys in m_active_keys: events sharing them wait.
constexpr std::size_t k_parked = std::numeric_limits<std::size_t>::max();

} // namespace

struct Dispatcher::ActiveEvent {
  Pending entry;
  events::Event event;
  std::vector<handlers::Handler> handlers;
  std::set<std::int64_t> completed; // handlers that already ran before a crash
  std::size_t lane = 0;
  std::size_t outstanding = 0; // runs queued on the lane and not reported yet
  bool cut_short = false;      // a run was taken back (stopping): the event stays unfinished
  bool held_back = false;      // its runs were taken back by a hold on its lane
  struct Retry {
    std::size_t index = 0;   // of the handler in `handlers`
    int tries = 0;           // failed runs of this delivery so far
    std::int64_t due_at = 0; // unix ms
    int attempt = 0;         // the retry's attempt number; 0: read from the run log
  };
  std::optional<Retry> retry;  // parked until due_at
  std::optional<Retry> resume; // queued again: the retried handler's tries and attempt
  std::size_t first = 0;       // queue_runs starts at this handler
  std::string skipped;         // JSON array of the handlers whose condition was false, "" none
};

Dispatcher::Dispatcher(DispatchContext context)
    : m_context(std::move(context)), m_book(m_context.db, m_context.journal, m_context.run_log,
                                            m_context.ledger, m_context.executor, m_context.log),
      m_watch_timer(m_context.executor), m_retry_timer(m_context.executor) {}

Dispatcher::~Dispatcher() {
  m_watch_timer.cancel();
  m_retry_timer.cancel();
}

void Dispatcher::start() {
  // Runs a crash interrupted are marked; their events are still unfinished and resume below,
  // running those handlers again (a new attempt) and skipping the ones that had finished.
  // The ledger holds the runs that had started when the previous daemon stopped without
  // writing their rows; runs whose running row was written are marked below.
  m_seen_at_start = m_context.journal.last_seq();
  if (std::size_t interrupted = m_book.recover(); interrupted > 0) {
    m_context.log->warn("{} handler run(s) were interrupted by a stop; they run again", interrupted);
  }
  load_waiting_retries();
  refill();
  pump();
  watch_database();
}

void Dispatcher::watch_database() {
  try {
    std::int64_t version = m_context.db.data_version();
    if (version != m_data_version) {
      m_data_version = version;
      m_recheck_handlers = true; // the CLI may have changed handlers of events in the window
      take_replays();
    }
  } catch (const sqlite::Failure& failure) {
    m_context.log->error("cannot read replay requests: {}", failure.what());
  }
  m_watch_timer.expires_after(std::chrono::milliseconds(200));
  m_watch_timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !m_stopping) {
      watch_database();
    }
  });
}

void Dispatcher::take_replays() {
  auto requests = m_context.replays.take_waiting();
  for (const auto& request : requests) {
    auto entry = m_context.journal.get(request.event_seq);
    if (!entry) {
      m_context.log->warn("replay {}: event {} no longer exists", request.id, request.event_seq);
      continue;
    }
    m_context.log->info("replay {}: event {} ({}){}", request.id, entry->seq, escape_control(entry->event),
                        request.handler_id ? " handler " + std::to_string(*request.handler_id)
                                           : std::string());
    m_window.push_back(pending_of(std::move(*entry), true, request.handler_id));
    m_window_bytes += m_window.back().bytes;
  }
  if (!requests.empty()) {
    pump();
  }
}

void Dispatcher::wake() {
  m_more_in_journal = true;
  m_recheck_handlers = true;
  if (window_low()) {
    refill();
  }
  pump();
}

void Dispatcher::stop(std::function<void()> on_idle) {
  m_stopping = true;
  // Runs not started yet come back `skipped`; their events stay unfinished for the next start.
  m_context.launcher.cancel_queued();
  // Events waiting for a retry stay unfinished too; their due times are in the deliveries
  // table, so the next start retries them on time.
  m_retry_timer.cancel();
  std::vector<std::shared_ptr<ActiveEvent>> waiting(m_due.begin(), m_due.end());
  for (auto& [due, active] : m_parked) {
    waiting.push_back(active);
  }
  m_parked.clear();
  m_due.clear();
  for (const auto& active : waiting) {
    release(active);
  }
  m_on_idle = std::move(on_idle);
  if (m_active.empty() && m_on_idle) {
    m_book.flush();
    auto callback = std::move(m_on_idle);
    m_on_idle = nullptr;
    callback();
  }
}

bool Dispatcher::window_low() const {
  return m_window.size() < k_window / 2 && m_window_bytes + m_active_bytes < k_max_loaded_bytes / 2;
}

void Dispatcher::refill() {
  std::size_t loaded = m_window_bytes + m_active_bytes;
  if (!m_more_in_journal || m_window.size() >= k_window ||
      (!m_window.empty() && loaded >= k_max_loaded_bytes)) {
    return;
  }
  std::size_t want = k_window - m_window.size();
  // An empty window takes one event whatever its size, so that dispatch goes on.
  std::size_t budget = loaded < k_max_loaded_bytes ? k_max_loaded_bytes - loaded : 1;
  auto entries = m_context.journal.unfinished(m_loaded_up_to, want, budget);
  std::size_t bytes = 0;
  for (auto& entry : entries) {
    m_loaded_up_to = std::max(m_loaded_up_to, entry.seq);
    m_window.push_back(pending_of(std::move(entry), false, std::nullopt));
    bytes += m_window.back().bytes;
  }
  m_window_bytes += bytes;
  m_more_in_journal = entries.size() == want || bytes >= budget;
}

Dispatcher::Pending Dispatcher::pending_of(events::JournalEntry entry, bool replay,
                                           std::optional<std::int64_t> only_handler) const {
  Pending pending{.seq = entry.seq,
                  .event = std::move(entry.event),
                  .parsed = events::from_json(entry.payload, *m_context.catalog, events::Fill::given),
                  .keys = {},
                  .bytes = entry.payload.size(),
                  .replay = replay,
                  .only_handler = only_handler};
  const events::EventDef* def = m_context.catalog->find(pending.event);
  if (def != nullptr && pending.parsed) {
    for (const auto* values : {&pending.parsed->old_values, &pending.parsed->new_values}) {
      auto found = values->find(def->key);
      if (found != values->end() && !found->second.empty()) {
        pending.keys.push_back(def->group + '\x1f' + found->second);
      }
    }
  }
  return pending;
}

const std::vector<handlers::Handler>& Dispatcher::handlers_for(const std::string& event) {
  // data_version moves when another connection commits: the CLI changing handlers, but also
  // the intake, so the cache lives for one intake batch at least. Reading it costs a read
  // transaction (file locks), so it is read only after new events were journaled (a handler
  // change made before an event was submitted is always seen) and when the watch saw a commit.
  if (m_recheck_handlers) {
    m_recheck_handlers = false;
    std::int64_t version = m_context.db.data_version();
    if (version != m_handler_cache_version) {
      m_handler_cache.clear();
      m_handler_cache_version = version;
    }
  }
  auto found = m_handler_cache.find(event);
  if (found == m_handler_cache.end()) {
    found = m_handler_cache.emplace(event, m_context.handler_store.for_event(event)).first;
  }
  return found->second;
}

Result<const handlers::CommandTemplate*> Dispatcher::command_of(const handlers::Handler& handler,
                                                                const events::EventDef& def) {
  auto found = m_command_cache.find(handler.id);
  if (found != m_command_cache.end()) {
    const CachedCommand& cached = found->second;
    if (cached.catalog == m_context.catalog && cached.command == handler.command && cached.params == handler.params &&
        cached.secrets == handler.secrets && cached.def == &def) {
      return &cached.parsed;
    }
    m_command_cache.erase(found);
  }
  auto parsed = handlers::CommandTemplate::parse(handler, def);
  if (!parsed) {
    return parsed.error();
  }
  auto& entry = m_command_cache[handler.id];
  entry = CachedCommand{m_context.catalog, &def, handler.command, handler.params, handler.secrets, std::move(parsed.value())};
  return &entry.parsed;
}

Result<const handlers::Condition*> Dispatcher::condition_of(const handlers::Handler& handler,
                                                             const events::EventDef& def) {
  auto found = m_condition_cache.find(handler.id);
  if (found != m_condition_cache.end()) {
    const CachedCondition& cached = found->second;
    if (cached.catalog == m_context.catalog && cached.def == &def && cached.text == handler.condition) {
      return &cached.parsed;
    }
    m_condition_cache.erase(found);
  }
  auto parsed = handlers::Condition::parse(handler.condition, def);
  if (!parsed) {
    return parsed.error();
  }
  auto& entry = m_condition_cache[handler.id];
  entry = CachedCondition{m_context.catalog, &def, handler.condition, std::move(parsed.value())};
  return &entry.parsed;
}

Result<UserInfo> Dispatcher::user_of(const std::string& name) {
  constexpr auto k_user_ttl = std::chrono::seconds(5);
  auto now = std::chrono::steady_clock::now();
  auto found = m_user_cache.find(name);
  if (found != m_user_cache.end() && now - found->second.fetched < k_user_ttl) {
    return found->second.user;
  }
  auto user = lookup_user(name);
  if (user) {
    m_user_cache[name] = CachedUser{user.value(), now};
  }
  return user;
}

std::optional<std::size_t> Dispatcher::lane_for(const Pending& entry) const {
  const auto lanes = static_cast<std::size_t>(m_context.config.workers);
  std::optional<std::size_t> holder; // the lane of the unfinished events sharing a key
  for (const auto& key : entry.keys) {
    auto [first, last] = m_active_keys.equal_range(key);
    for (auto it = first; it != last; ++it) {
      if (holder && *holder != it->second) {
        return std::nullopt; // two lanes hold its keys: it waits for one to finish
      }
      holder = it->second;
    }
  }
  if (holder == k_parked) {
    return std::nullopt; // an event sharing a key waits for its retry
  }
  if (holder) {
    // Queued behind them on their lane, it starts only once they are finished.
    return m_lane_load[*holder] < k_lane_depth ? holder : std::nullopt;
  }
  std::optional<std::size_t> best;
  for (std::size_t lane = 0; lane < lanes; ++lane) {
    if (m_lane_load[lane] < k_lane_depth && (!best || m_lane_load[lane] < m_lane_load[*best])) {
      best = lane;
    }
  }
  return best;
}

bool Dispatcher::lane_room() const {
  const auto lanes = static_cast<std::size_t>(m_context.config.workers);
  for (std::size_t lane = 0; lane < lanes; ++lane) {
    if (m_lane_load[lane] < k_lane_depth) {
      return true;
    }
  }
  return false;
}

void Dispatcher::pump() {
  if (m_stopping) {
    return;
  }
  if (m_lane_load.size() < static_cast<std::size_t>(m_context.config.workers)) {
    m_lane_load.resize(static_cast<std::size_t>(m_context.config.workers), 0);
  }
  start_due_retries();          // before the window: they are older than what waits there
  std::set<std::string> passed; // keys of earlier events left waiting: later ones wait too
  for (auto it = m_window.begin(); it != m_window.end() && lane_room();) {
    bool behind = std::any_of(it->keys.begin(), it->keys.end(), [&](const std::string& key) { return passed.count(key) > 0; });
    std::optional<std::size_t> lane = behind ? std::nullopt : lane_for(*it);
    // Behind another event on a lane it waits in the window unless the byte budget has room.
    if (lane && m_lane_load[*lane] > 0 && m_active_bytes + it->bytes > k_max_loaded_bytes) {
      lane.reset();
    }
    if (!lane) {
      passed.insert(it->keys.begin(), it->keys.end());
      ++it;
      continue;
    }
    Pending entry = std::move(*it);
    it = m_window.erase(it);
    m_window_bytes -= entry.bytes;
    start_event(std::move(entry), *lane);
  }
  if (window_low() && m_more_in_journal) {
    std::size_t before = m_window.size();
    refill();
    if (m_window.size() > before && lane_room()) {
      pump();
    }
  }
}

void Dispatcher::start_event(Pending entry, std::size_t lane) {
  auto active = std::make_shared<ActiveEvent>();
  active->entry = std::move(entry);
  active->lane = lane;
  ++m_lane_load[lane];
  m_active_bytes += active->entry.bytes;
  for (const auto& key : active->entry.keys) {
    m_active_keys.emplace(key, lane);
  }
  m_active.insert(active);
  try {
    if (!active->entry.parsed) {
      m_context.log->error("event {} ({}) cannot be dispatched: {}", active->entry.seq,
                           escape_control(active->entry.event),
                           escape_control(active->entry.parsed.error().message));
      finish_event(active);
      return;
    }
    active->event = std::move(active->entry.parsed.value());
    active->event.seq = active->entry.seq;
    if (!active->entry.replay) {
      active->handlers = handlers_for(active->entry.event);
      if (!active->handlers.empty() && active->entry.seq <= m_seen_at_start) {
        m_book.flush(); // this session's runs of the event, if any, count too
        active->completed = m_context.run_log.completed_handlers(active->entry.seq);
      }
    } else if (active->entry.only_handler) {
      // A replay of one handler runs it even when it is disabled: the administrator asked.
      if (auto handler = m_context.handler_store.get(*active->entry.only_handler)) {
        active->handlers.push_back(std::move(*handler));
      }
    } else {
      active->handlers = handlers_for(active->entry.event);
    }
  } catch (const sqlite::Failure& failure) {
    m_context.log->error("cannot start event {}: {}", active->entry.seq, failure.what());
    // Leave it unfinished in the journal: it runs after the next start.
    release(active);
    return;
  }
  if (auto waiting = m_waiting_at_start.find(active->entry.seq); waiting != m_waiting_at_start.end()) {
    // It waited for a retry when the daemon stopped: it waits on, until the same due time.
    const handlers::DeliveryRow row = waiting->second;
    m_waiting_at_start.erase(waiting);
    for (std::size_t index = 0; index < active->handlers.size(); ++index) {
      if (active->handlers[index].id == row.handler_id) {
        active->completed.erase(row.handler_id);
        active->retry = ActiveEvent::Retry{index, row.tries, row.due_at.value_or(0), 0};
        park(active);
        return;
      }
    }
  }
  queue_runs(active);
}

void Dispatcher::queue_runs(const std::shared_ptr<ActiveEvent>& active) {
  const events::Event& event = active->event;
  const events::EventDef* def = m_context.catalog->find(event.name);
  const std::optional<ActiveEvent::Retry> resume = active->resume;
  for (std::size_t index = active->first; index < active->handlers.size(); ++index) {
    const handlers::Handler& handler = active->handlers[index];
    if (active->completed.count(handler.id) > 0) {
      continue;
    }
    const bool retrying = resume && resume->index == index;
    auto record = std::make_shared<RunRecord>();
    record->event = event.name;
    record->start.event_seq = event.seq;
    record->start.handler_id = handler.id;
    record->start.user = handler.user;
    record->tries = retrying ? resume->tries : 0;
    // A success settles a delivery row, which only a failed try, a replay or an event from
    // before this start can have: a first run that succeeds costs no statement.
    record->settles = retrying || active->entry.replay || event.seq <= m_seen_at_start;
    try {
      if (retrying && resume->attempt > 0) {
        record->start.attempt = resume->attempt;
      } else if (active->entry.replay || event.seq <= m_seen_at_start) {
        m_book.flush(); // earlier attempts of this session may still wait for their rows
        record->start.attempt = m_context.run_log.next_attempt(event.seq, handler.id);
      }
    } catch (const sqlite::Failure& failure) {
      m_context.log->error("cannot read earlier runs of handler {} for event {}: {}", handler.id, event.seq,
                           failure.what());
    }

    handlers::LaunchSpec spec;
    std::optional<handlers::RunOutcome> refused;
    std::vector<std::string> redacted;
    // A condition decides before anything else is looked up; a one-handler replay runs the
    // handler whatever its condition says (the administrator asked, as for a disabled one).
    if (def != nullptr && !handler.condition.empty() && !active->entry.only_handler) {
      auto condition = condition_of(handler, *def);
      if (!condition) {
        refused = handlers::not_started("invalid condition: " + condition.error().message);
      } else if (!(*condition)->holds(event)) {
        active->skipped += std::string(active->skipped.empty() ? "[" : ",") +
                           "{\"handler\":" + std::to_string(handler.id) +
                           ",\"if\":" + boost::json::serialize(boost::json::string(handler.condition)) + "}";
        continue;
      }
    }
    if (refused) {
      // the condition cannot be checked: reported as a run that did not start
    } else if (def == nullptr) {
      refused = handlers::not_started("event " + event.name + " is no longer in the catalog");
    } else if (auto user = user_of(handler.user); !user) {
      refused = handlers::not_started(user.error().message);
    } else if (auto command = command_of(handler, *def); !command) {
      refused = handlers::not_started("invalid command: " + command.error().message);
    } else if (auto plan = handlers::plan_run(**command, handler, *def, event, m_context.config,
                                              &user.value(), record->start.attempt);
               !plan) {
      refused = handlers::not_started(plan.error().message);
    } else {
      spec = std::move(plan->spec);
      redacted = std::move(plan->redacted_argv);
      spec.slot_key = handler.id;
      spec.slot_limit = handler.concurrency;
    }
    if (redacted.empty()) {
      redacted.push_back(handler.command);
    }
    record->start.argv_json = to_json_array(redacted);
    record->start.started_at = now_ms();
    m_book.queued(record);

    auto finished = [this, active, record, index](handlers::RunOutcome outcome) {
      --active->outstanding;
      if (outcome.skipped) {
        m_book.skipped(record);
        (outcome.held ? active->held_back : active->cut_short) = true;
      } else {
        if (active->resume && active->resume->index == index) {
          active->resume.reset(); // the retry ran
        }
        if (outcome.status != handlers::RunStatus::ok) {
          decide_retry(active, *record, index, outcome);
        }
        m_book.finished(record, std::move(outcome));
      }
      if (active->outstanding == 0) {
        settle(active);
      }
    };
    // The lane holds what is queued behind a run that fails with a retry to come, until the
    // event loop has parked the event (see decide_retry); no hold without retries, so the
    // test costs nothing then.
    handlers::Launcher::HoldTest hold;
    const int retries = handler.retries.value_or(m_context.config.retry.retries);
    if (record->tries < retries) {
      hold = [retry_on = handler.retry_on.value_or(m_context.config.retry.retry_on)](
                 const handlers::RunOutcome& outcome) { return handlers::is_retried(outcome, retry_on); };
    }
    ++active->outstanding;
    if (refused) {
      // Recorded like any run, in its place; the next handler still runs (the panel action
      // already happened).
      record->started_ms = record->start.started_at;
      m_context.launcher.async_report(std::move(*refused), std::move(finished), active->lane,
                                      std::move(hold));
      continue;
    }
    m_context.launcher.async_run(std::move(spec), std::move(finished), active->lane,
                                 m_book.start_hook(record), std::move(hold));
  }
  if (active->outstanding == 0) {
    settle(active);
  }
}

void Dispatcher::decide_retry(const std::shared_ptr<ActiveEvent>& active, RunRecord& record,
                              std::size_t index, const handlers::RunOutcome& outcome) {
  if (!outcome.holds_lane) {
    // Not retried (spent, not retryable under retry_on, or retries 0): a dead letter, and
    // the event's remaining handlers run now.
    record.delivery = RunRecord::DeliveryWrite{handlers::DeliveryState::dead, std::nullopt};
    return;
  }
  const handlers::Handler& handler = active->handlers[index];
  const RetryPolicy policy = handlers::retry_policy(handler, m_context.config.retry);
  const int tries = record.tries + 1;
  const std::int64_t failed_at = outcome.finished_ms != 0 ? outcome.finished_ms : now_ms();
  const std::int64_t due_at = failed_at + jittered_retry_delay(policy, tries);
  record.delivery = RunRecord::DeliveryWrite{handlers::DeliveryState::waiting, due_at};
  active->retry = ActiveEvent::Retry{index, tries, due_at, record.start.attempt + 1};
  // What the lane took back behind this run comes back `held`; from now on it runs again.
  m_context.launcher.release_hold(active->lane);
}

void Dispatcher::settle(const std::shared_ptr<ActiveEvent>& active) {
  if (active->cut_short) {
    active->retry.reset(); // its due time is durable; the next start re-arms it
    release(active);
  } else if (active->retry) {
    park(active);
  } else if (active->held_back && active->resume) {
    // A due retry held behind another event's failed run before it ran: due again at once.
    active->retry = std::exchange(active->resume, std::nullopt);
    active->retry->due_at = now_ms();
    park(active);
  } else if (active->held_back) {
    put_back(active);
  } else {
    finish_event(active);
  }
}

void Dispatcher::park(const std::shared_ptr<ActiveEvent>& active) {
  if (m_stopping) {
    release(active); // its due time is durable; the next start re-arms it
    return;
  }
  for (auto& [key, lane] : m_active_keys) {
    if (lane == active->lane &&
        std::find(active->entry.keys.begin(), active->entry.keys.end(), key) != active->entry.keys.end()) {
      lane = k_parked;
    }
  }
  if (active->lane != k_parked) {
    --m_lane_load[active->lane];
    active->lane = k_parked;
  }
  active->held_back = false;
  m_parked.emplace(active->retry->due_at, active);
  arm_retry_timer();
  if (!m_stopping) {
    schedule_pump();
  }
}

void Dispatcher::arm_retry_timer() {
  if (m_parked.empty() || m_stopping) {
    return;
  }
  const std::int64_t due = m_parked.begin()->first;
  if (m_retry_timer_at != 0 && m_retry_timer_at <= due) {
    return; // armed for this one or an earlier one
  }
  m_retry_timer_at = due;
  m_retry_timer.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(0, due - now_ms())));
  m_retry_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) {
      return; // re-armed for an earlier retry, or stopping
    }
    m_retry_timer_at = 0;
    const std::int64_t now = now_ms();
    while (!m_parked.empty() && m_parked.begin()->first <= now) {
      m_due.push_back(m_parked.begin()->second);
      m_parked.erase(m_parked.begin());
    }
    arm_retry_timer();
    pump();
  });
}

void Dispatcher::start_due_retries() {
  while (!m_due.empty()) {
    std::optional<std::size_t> best;
    for (std::size_t lane = 0; lane < m_lane_load.size(); ++lane) {
      if (m_lane_load[lane] < k_lane_depth && (!best || m_lane_load[lane] < m_lane_load[*best])) {
        best = lane;
      }
    }
    if (!best) {
      return;
    }
    auto active = m_due.front();
    m_due.pop_front();
    // No other event holds its keys (they waited for it), so any lane keeps the order.
    for (auto& [key, lane] : m_active_keys) {
      if (lane == k_parked &&
          std::find(active->entry.keys.begin(), active->entry.keys.end(), key) != active->entry.keys.end()) {
        lane = *best;
      }
    }
    active->lane = *best;
    ++m_lane_load[*best];
    active->resume = active->retry;
    active->first = active->retry->index;
    active->retry.reset();
    queue_runs(active);
  }
}

void Dispatcher::put_back(const std::shared_ptr<ActiveEvent>& active) {
  Pending entry = std::move(active->entry);
  entry.parsed = std::move(active->event);
  active->entry.keys = entry.keys; // release() frees them
  active->entry.bytes = entry.bytes;
  auto position = std::find_if(m_window.begin(), m_window.end(),
                               [&](const Pending& waiting) { return waiting.seq > entry.seq; });
  m_window_bytes += entry.bytes;
  m_window.insert(position, std::move(entry));
  release(active);
}

void Dispatcher::load_waiting_retries() {
  try {
    handlers::DeliveryStore deliveries(m_context.db);
    for (auto& row : deliveries.list(handlers::DeliveryState::waiting)) {
      auto entry = m_context.journal.get(row.event_seq);
      if (!entry) {
        continue;
      }
      if (entry->state == events::EventState::done) {
        // A replay's retry: the event is finished in the journal, so it is queued again.
        auto handler_id = row.handler_id;
        m_window.push_back(pending_of(std::move(*entry), true, handler_id));
        m_window_bytes += m_window.back().bytes;
      }
      m_waiting_at_start.emplace(row.event_seq, std::move(row));
    }
  } catch (const sqlite::Failure& failure) {
    m_context.log->error("cannot read the retries waiting from before this start: {}", failure.what());
  }
  if (!m_waiting_at_start.empty()) {
    m_context.log->info("{} retr{} waiting from before this start", m_waiting_at_start.size(),
                        m_waiting_at_start.size() == 1 ? "y" : "ies");
  }
}

void Dispatcher::finish_event(const std::shared_ptr<ActiveEvent>& active) {
  if (active->entry.only_handler) {
    m_book.event_done(active->entry.seq, std::nullopt);
  } else {
    m_book.event_done(active->entry.seq, active->skipped.empty() ? std::string() : active->skipped + "]");
  }
  release(active);
}

void Dispatcher::release(const std::shared_ptr<ActiveEvent>& active) {
  for (const auto& key : active->entry.keys) {
    auto [first, last] = m_active_keys.equal_range(key);
    for (auto it = first; it != last; ++it) {
      if (it->second == active->lane) {
        m_active_keys.erase(it);
        break;
      }
    }
  }
  if (active->lane != k_parked) {
    --m_lane_load[active->lane];
  }
  m_active_bytes -= active->entry.bytes;
  m_active.erase(active);
  if (m_active.empty() && !m_stopping) {
    // Idle once the pump found nothing to start: write what waits now, not after the delay.
    boost::asio::post(m_context.executor, [this] {
      boost::asio::post(m_context.executor, [this] {
        if (m_active.empty()) {
          m_book.flush();
        }
      });
    });
  }
  if (m_stopping) {
    if (m_active.empty() && m_on_idle) {
      m_book.flush();
      auto callback = std::move(m_on_idle);
      m_on_idle = nullptr;
      callback();
    }
    return;
  }
  schedule_pump();
}

void Dispatcher::schedule_pump() {
  if (m_pump_scheduled) {
    return;
  }
  m_pump_scheduled = true;
  boost::asio::post(m_context.executor, [this] {
    m_pump_scheduled = false;
    pump();
  });
}

} // namespace eventmgr::daemon
