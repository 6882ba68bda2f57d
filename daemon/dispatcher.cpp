// SPDX-License-Identifier: MIT
#include "daemon/dispatcher.hpp"

#include "common/clock.hpp"
#include "common/string_list.hpp"
#include "common/sqlite.hpp"
#include "events/event_json.hpp"
#include "handlers/run_plan.hpp"

#include <boost/asio/post.hpp>

#include <unistd.h>

#include <algorithm>
#include <map>

namespace eventmgr::daemon {
namespace {

constexpr std::size_t k_window = 1024;
// How long the rows of started and finished runs may wait in memory (and the ledger) before
// they are written in one transaction.
constexpr auto k_flush_delay = std::chrono::milliseconds(20);
// Ledger slots kept free: below this, a start first writes what waits.
constexpr std::size_t k_ledger_reserve = 16;

} // namespace

struct Dispatcher::ActiveEvent {
  Pending entry;
  events::Event event;
  std::vector<handlers::Handler> handlers;
  std::set<std::int64_t> completed; // handlers that already ran before a crash
  std::map<std::int64_t, int> attempts;
  std::size_t next = 0;
};

Dispatcher::Dispatcher(DispatchContext context)
  : m_context(std::move(context)), m_flush_timer(m_context.executor), m_watch_timer(m_context.executor) {}

Dispatcher::~Dispatcher() {
  m_flush_timer.cancel();
  m_watch_timer.cancel();
}

void Dispatcher::start() {
  // Runs a crash interrupted are marked; their events are still unfinished and resume below,
  // running those handlers again (a new attempt) and skipping the ones that had finished.
  // The ledger holds the runs that had started when the previous daemon stopped without
  // writing their rows; runs whose running row was written are marked below.
  m_seen_at_start = m_context.journal.last_seq();
  std::size_t interrupted = 0;
  if (const auto& left_over = m_context.ledger.left_over(); !left_over.empty()) {
    std::int64_t now = now_ms();
    sqlite::Transaction transaction(m_context.db);
    for (const auto& start : left_over) {
      interrupted += m_context.run_log.record_interrupted(start, now) ? 1 : 0;
    }
    transaction.commit();
    m_context.ledger.clear_left_over();
  }
  interrupted += m_context.run_log.mark_interrupted_running().size();
  if (interrupted > 0) {
    m_context.log->warn("{} handler run(s) were interrupted by a stop; they run again", interrupted);
  }
  refill();
  pump();
  watch_database();
}

void Dispatcher::watch_database() {
  try {
    std::int64_t version = m_context.db.data_version();
    if (version != m_data_version) {
      m_data_version = version;
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
    m_context.log->info("replay {}: event {} ({}){}", request.id, entry->seq, entry->event,
                        request.handler_id ? " handler " + std::to_string(*request.handler_id) : std::string());
    m_window.push_back(pending_of(std::move(*entry), true, request.handler_id));
  }
  if (!requests.empty()) {
    pump();
  }
}

void Dispatcher::wake() {
  m_more_in_journal = true;
  if (m_window.size() < k_window / 2) {
    refill();
  }
  pump();
}

void Dispatcher::stop(std::function<void()> on_idle) {
  m_stopping = true;
  m_on_idle = std::move(on_idle);
  if (m_active.empty() && m_on_idle) {
    flush_done();
    auto callback = std::move(m_on_idle);
    m_on_idle = nullptr;
    callback();
  }
}

void Dispatcher::refill() {
  if (!m_more_in_journal || m_window.size() >= k_window) {
    return;
  }
  std::size_t want = k_window - m_window.size();
  auto entries = m_context.journal.unfinished(m_loaded_up_to, want);
  m_more_in_journal = entries.size() == want;
  for (auto& entry : entries) {
    m_loaded_up_to = std::max(m_loaded_up_to, entry.seq);
    m_window.push_back(pending_of(std::move(entry), false, std::nullopt));
  }
}

Dispatcher::Pending Dispatcher::pending_of(events::JournalEntry entry, bool replay,
                                           std::optional<std::int64_t> only_handler) const {
  Pending pending{entry.seq, std::move(entry.event), events::from_json(entry.payload, *m_context.catalog), {}, replay,
                  only_handler};
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
  // the intake, so the cache lives for one intake batch at least.
  std::int64_t version = m_context.db.data_version();
  if (version != m_handler_cache_version) {
    m_handler_cache.clear();
    m_handler_cache_version = version;
  }
  auto found = m_handler_cache.find(event);
  if (found == m_handler_cache.end()) {
    found = m_handler_cache.emplace(event, m_context.handler_store.for_event(event)).first;
  }
  return found->second;
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

void Dispatcher::pump() {
  if (m_stopping) {
    return;
  }
  std::set<std::string> blocked(m_active_keys.begin(), m_active_keys.end());
  for (auto it = m_window.begin(); it != m_window.end() && m_active.size() < static_cast<std::size_t>(m_context.config.workers);) {
    bool conflict = std::any_of(it->keys.begin(), it->keys.end(), [&](const std::string& key) { return blocked.count(key) > 0; });
    if (conflict) {
      // Later events with these keys must wait behind this one too.
      blocked.insert(it->keys.begin(), it->keys.end());
      ++it;
      continue;
    }
    Pending entry = std::move(*it);
    it = m_window.erase(it);
    blocked.insert(entry.keys.begin(), entry.keys.end());
    start_event(std::move(entry));
  }
  if (m_window.size() < k_window / 2 && m_more_in_journal) {
    std::size_t before = m_window.size();
    refill();
    if (m_window.size() > before && m_active.size() < static_cast<std::size_t>(m_context.config.workers)) {
      pump();
    }
  }
}

void Dispatcher::start_event(Pending entry) {
  auto active = std::make_shared<ActiveEvent>();
  active->entry = std::move(entry);
  for (const auto& key : active->entry.keys) {
    m_active_keys.insert(key);
  }
  m_active.insert(active);
  try {
    if (!active->entry.parsed) {
      m_context.log->error("event {} ({}) cannot be dispatched: {}", active->entry.seq, active->entry.event,
                           active->entry.parsed.error().message);
      finish_event(active);
      return;
    }
    active->event = std::move(active->entry.parsed.value());
    active->event.seq = active->entry.seq;
    if (!active->entry.replay) {
      active->handlers = handlers_for(active->entry.event);
      if (!active->handlers.empty() && active->entry.seq <= m_seen_at_start) {
        flush_done(); // this session's runs of the event, if any, count too
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
  run_next(active);
}

void Dispatcher::run_next(const std::shared_ptr<ActiveEvent>& active) {
  if (m_stopping) {
    // Stopping: the event stays unfinished and resumes with its next handler after restart.
    release(active);
    return;
  }
  while (active->next < active->handlers.size() && active->completed.count(active->handlers[active->next].id) > 0) {
    ++active->next;
  }
  if (active->next >= active->handlers.size()) {
    finish_event(active);
    return;
  }
  const handlers::Handler& handler = active->handlers[active->next++];
  const events::Event& event = active->event;
  const events::EventDef* def = m_context.catalog->find(event.name);

  handlers::LaunchSpec spec;
  std::optional<handlers::RunOutcome> refused;
  std::vector<std::string> redacted;
  if (def == nullptr) {
    refused = handlers::not_started("event " + event.name + " is no longer in the catalog");
  } else if (auto user = user_of(handler.user); !user) {
    refused = handlers::not_started(user.error().message);
  } else if (auto plan = handlers::plan_run(handler, *def, event, m_context.config, &user.value()); !plan) {
    refused = handlers::not_started(plan.error().message);
  } else {
    spec = std::move(plan->spec);
    redacted = std::move(plan->redacted_argv);
  }
  if (redacted.empty()) {
    redacted.push_back(handler.command);
  }

  // The run's row is written before the process starts (a crash then shows it interrupted),
  // in one transaction with the results not yet recorded: one write per run, not two.
  auto record = std::make_shared<RunRecord>();
  record->event = event.name;
  record->start.event_seq = event.seq;
  record->start.handler_id = handler.id;
  record->start.user = handler.user;
  record->start.argv_json = to_json_array(redacted);
  record->start.started_at = now_ms();
  try {
    if (active->entry.replay || event.seq <= m_seen_at_start) {
      flush_done(); // earlier attempts of this session may still wait for their rows
      record->start.attempt = m_context.run_log.next_attempt(event.seq, handler.id);
    }
  } catch (const sqlite::Failure& failure) {
    m_context.log->error("cannot read earlier runs of handler {} for event {}: {}", handler.id, event.seq,
                         failure.what());
  }
  note_start(record);

  auto finished = [this, active, record](handlers::RunOutcome outcome) {
    // Recorded with the next batch (flush_done), in one transaction.
    record->finished = true;
    m_finished_runs.emplace_back(record, std::move(outcome));
    schedule_flush();
    run_next(active);
  };
  if (refused) {
    // Recorded like any run; the next handler still runs (the panel action already happened).
    boost::asio::post(m_context.executor, [finished, outcome = std::move(*refused)]() mutable {
      finished(std::move(outcome));
    });
    return;
  }
  m_context.launcher.async_run(std::move(spec), std::move(finished));
}

void Dispatcher::finish_event(const std::shared_ptr<ActiveEvent>& active) {
  // Finished events are marked done together with the runs' rows (flush_done). A crash before
  // that leaves them unfinished: they are dispatched again, and the ledger shows their runs
  // not yet written as interrupted.
  m_done.push_back(active->entry.seq);
  schedule_flush();
  release(active);
}

void Dispatcher::note_start(const std::shared_ptr<RunRecord>& record) {
  if (m_context.ledger.free_slots() <= k_ledger_reserve) {
    flush_done();
  }
  record->slot = m_context.ledger.acquire(record->start);
  m_unwritten.push_back(record);
  if (record->slot < 0) {
    flush_done(); // no room: its running row is written before the start instead
  }
  schedule_flush();
}

void Dispatcher::schedule_flush() {
  if (m_flush_scheduled) {
    return;
  }
  m_flush_scheduled = true;
  m_flush_timer.expires_after(k_flush_delay);
  m_flush_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) {
      return; // cancelled: the dispatcher is going away
    }
    m_flush_scheduled = false;
    flush_done();
  });
}

void Dispatcher::flush_done() {
  if (m_done.empty() && m_finished_runs.empty() && m_unwritten.empty()) {
    return;
  }
  try {
    std::int64_t now = now_ms();
    sqlite::Transaction transaction(m_context.db);
    for (const auto& record : m_unwritten) {
      if (!record->finished) {
        const auto& start = record->start;
        record->id = m_context.run_log.start_run(start.event_seq, start.handler_id, start.attempt, start.user,
                                                 start.argv_json, start.started_at);
      }
    }
    for (const auto& [record, outcome] : m_finished_runs) {
      if (record->id == 0) {
        record->id = m_context.run_log.record_run(record->start, handlers::to_run_end(outcome));
      } else {
        m_context.run_log.finish_run(record->id, outcome);
      }
    }
    for (std::int64_t seq : m_done) {
      m_context.journal.mark_done(seq, now);
    }
    transaction.commit();
    // Written: their ledger slots are free again.
    for (const auto& record : m_unwritten) {
      m_context.ledger.release(std::exchange(record->slot, -1));
    }
    for (const auto& [record, outcome] : m_finished_runs) {
      m_context.ledger.release(std::exchange(record->slot, -1));
      auto level = outcome.status == handlers::RunStatus::ok ? spdlog::level::info : spdlog::level::warn;
      m_context.log->log(level, "run {}: event {} ({}) handler {} as {}: {} in {}", record->id,
                         record->start.event_seq, record->event, record->start.handler_id, record->start.user,
                         handlers::describe_result(outcome), format_duration(outcome.finished_ms - outcome.started_ms));
    }
  } catch (const sqlite::Failure& failure) {
    // Their ledger slots stay taken, so the next start shows these runs interrupted.
    m_context.log->error("cannot record {} started and {} finished runs and {} finished events: {}; they run again "
                         "after a restart",
                         m_unwritten.size(), m_finished_runs.size(), m_done.size(), failure.what());
    for (const auto& record : m_unwritten) {
      record->id = 0; // rolled back: a later flush inserts it whole
    }
    for (const auto& [record, outcome] : m_finished_runs) {
      record->id = 0;
    }
  }
  m_unwritten.clear();
  m_finished_runs.clear();
  m_done.clear();
}

void Dispatcher::release(const std::shared_ptr<ActiveEvent>& active) {
  for (const auto& key : active->entry.keys) {
    m_active_keys.erase(m_active_keys.find(key));
  }
  m_active.erase(active);
  if (m_active.empty() && !m_stopping) {
    // Idle once the pump found nothing to start: write what waits now, not after the delay.
    boost::asio::post(m_context.executor, [this] {
      boost::asio::post(m_context.executor, [this] {
        if (m_active.empty()) {
          flush_done();
        }
      });
    });
  }
  if (m_stopping) {
    if (m_active.empty() && m_on_idle) {
      flush_done();
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
