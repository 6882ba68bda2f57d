// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "daemon/run_book.hpp"
#include "events/catalog.hpp"
#include "events/journal.hpp"
#include "events/replay_queue.hpp"
#include "handlers/command_template.hpp"
#include "handlers/delivery_store.hpp"
#include "handlers/condition.hpp"
#include "handlers/handler_store.hpp"
#include "handlers/launcher.hpp"
#include "handlers/run_ledger.hpp"
#include "handlers/run_log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <deque>
#include <map>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace eventmgr::daemon {

// What the dispatcher works with; owned by the Daemon.
struct DispatchContext {
  events::Journal& journal;      // on the dispatch connection
  handlers::HandlerStore& handler_store;
  handlers::RunLog& run_log;
  handlers::RunLedger& ledger;   // runs started whose rows are not written yet
  events::ReplayQueue& replays;
  sqlite::Database& db;          // the dispatch connection, watched for the CLI's changes
  handlers::Launcher& launcher;
  boost::asio::any_io_executor executor;
  const std::shared_ptr<const events::Catalog>& catalog;
  const Config& config;
  std::shared_ptr<spdlog::logger> log;
};

// Runs journaled events in journal order (docs/RELIABILITY.md): up to `workers` events at once, never two
// unfinished events that share a key, one event's handlers one after another in handler order.
class Dispatcher {
public:
  explicit Dispatcher(DispatchContext context);
  ~Dispatcher();
  // Crash recovery (interrupted runs are marked and run again), then dispatch.
  void start();
  // New events were journaled.
  void wake();
  // Starts no new event; calls `on_idle` once no event is running (at once if none is).
  void stop(std::function<void()> on_idle);
  std::size_t active() const { return m_active.size(); }
  // Runs started since `since_ms` (at most an hour back) whose rows are written: ok, failed.
  handlers::RunCounts runs_since(std::int64_t since_ms) const { return m_book.runs_since(since_ms); }
  // Counts each finished run into `metrics`.
  void count_into(DaemonMetrics& metrics) { m_book.count_into(metrics); }

  struct ActiveEvent;

private:
  struct Pending {
    std::int64_t seq;
    std::string event;
    Result<events::Event> parsed = make_error("not read"); // the journaled payload, read once
    std::vector<std::string> keys;
    std::size_t bytes = 0;                   // the payload's size, for the byte budget
    bool replay = false;                     // run again as new attempts
    std::optional<std::int64_t> only_handler; // a replay of one handler
  };
  void refill();
  // The window is below half its events and half its byte budget: time to refill.
  bool window_low() const;
  // Polls PRAGMA data_version: replay requests of the CLI are queued when it changed.
  void watch_database();
  void take_replays();
  void pump();
  // Runs pump() from the executor (once, however often asked), never recursively.
  void schedule_pump();
  // The lane `entry` may be queued on now: the one holding the unfinished events that share
  // its keys, else the least loaded; nullopt when it must wait.
  std::optional<std::size_t> lane_for(const Pending& entry) const;
  bool lane_room() const;
  void start_event(Pending entry, std::size_t lane);
  // Plans every handler of the event and queues the runs on its lane, in handler order.
  void queue_runs(const std::shared_ptr<ActiveEvent>& active);
  void finish_event(const std::shared_ptr<ActiveEvent>& active);
  // Forgets `active` (done or left unfinished for the next start) and looks for more work.
  void release(const std::shared_ptr<ActiveEvent>& active);
  // Every run of `active` was reported: finishes it, parks it for its retry, or puts it back
  // in the window (its runs were held behind another event's retry).
  void settle(const std::shared_ptr<ActiveEvent>& active);
  // A failed run of `active`'s handler at `index`: a retry when the lane held for it
  // (`outcome.holds_lane`), else a dead letter; written with the run's row.
  void decide_retry(const std::shared_ptr<ActiveEvent>& active, RunRecord& record, std::size_t index,
                    const handlers::RunOutcome& outcome);
  // `active` waits off its lane for its retry, its keys still held.
  void park(const std::shared_ptr<ActiveEvent>& active);
  // Queues the due retries on lanes with room; false when one must still wait for a lane.
  void start_due_retries();
  void arm_retry_timer();
  // `active` was taken back from its lane unstarted: back into the window, in seq order.
  void put_back(const std::shared_ptr<ActiveEvent>& active);
  // Reads the retries that were waiting when the daemon stopped.
  void load_waiting_retries();
  // Reads a journal entry into the window's form: the parsed event and its keys.
  Pending pending_of(events::JournalEntry entry, bool replay, std::optional<std::int64_t> only_handler) const;
  // The enabled handlers of `event` in order, cached until another connection commits.
  const std::vector<handlers::Handler>& handlers_for(const std::string& event);
  // The handler's command parsed against `def`, kept while the handler and the catalog stay
  // the same (parsing costs more than rendering).
  Result<const handlers::CommandTemplate*> command_of(const handlers::Handler& handler, const events::EventDef& def);
  // The handler's condition parsed against `def`, kept while the handler and the catalog stay
  // the same (a regex compiles once).
  Result<const handlers::Condition*> condition_of(const handlers::Handler& handler, const events::EventDef& def);
  // The handler's user, looked up at most every few seconds.
  Result<UserInfo> user_of(const std::string& name);

  DispatchContext m_context;
  RunBook m_book;
  std::deque<Pending> m_window;  // loaded unfinished events not yet started, by seq
  std::size_t m_window_bytes = 0;  // their payloads' bytes
  std::size_t m_active_bytes = 0;  // the payloads' bytes of the events in m_active
  std::int64_t m_loaded_up_to = 0; // highest seq loaded into the window
  // Events up to this seq were journaled before this start and may have runs already (a
  // crash interrupted them); later ones have none unless replayed, which saves two queries
  // per event (completed handlers, next attempt).
  std::int64_t m_seen_at_start = std::numeric_limits<std::int64_t>::max();
  bool m_more_in_journal = true;
  std::set<std::shared_ptr<ActiveEvent>> m_active; // queued on a lane, not finished
  std::multimap<std::string, std::size_t> m_active_keys; // their keys, with their lanes
  std::vector<std::size_t> m_lane_load; // events queued per lane (at most k_lane_depth)
  std::function<void()> m_on_idle;
  bool m_stopping = false;
  bool m_pump_scheduled = false;
  std::map<std::string, std::vector<handlers::Handler>> m_handler_cache;
  std::int64_t m_handler_cache_version = -1;
  bool m_recheck_handlers = true; // read data_version before the next use of the cache
  struct CachedCommand {
    std::shared_ptr<const events::Catalog> catalog; // keeps `def` alive and tells a reload
    const events::EventDef* def = nullptr;
    std::string command;
    std::vector<std::string> params;
    bool secrets = false;
    handlers::CommandTemplate parsed;
  };
  std::map<std::int64_t, CachedCommand> m_command_cache; // by handler id
  struct CachedCondition {
    std::shared_ptr<const events::Catalog> catalog;
    const events::EventDef* def = nullptr;
    std::string text;
    handlers::Condition parsed;
  };
  std::map<std::int64_t, CachedCondition> m_condition_cache; // by handler id
  struct CachedUser {
    UserInfo user;
    std::chrono::steady_clock::time_point fetched;
  };
  std::map<std::string, CachedUser> m_user_cache;
  boost::asio::steady_timer m_watch_timer;
  std::int64_t m_data_version = -1;
  // Parked events (their retry due, unix ms) and those due that wait for a lane.
  std::multimap<std::int64_t, std::shared_ptr<ActiveEvent>> m_parked;
  std::deque<std::shared_ptr<ActiveEvent>> m_due;
  boost::asio::steady_timer m_retry_timer;
  std::int64_t m_retry_timer_at = 0;                                // when m_retry_timer fires; 0: not armed
  std::map<std::int64_t, handlers::DeliveryRow> m_waiting_at_start; // by event seq
};

} // namespace eventmgr::daemon
