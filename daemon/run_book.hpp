// SPDX-License-Identifier: MIT
#pragma once

#include "daemon/daemon_metrics.hpp"
#include "daemon/run_tally.hpp"
#include "events/journal.hpp"
#include "handlers/delivery_store.hpp"
#include "handlers/launcher.hpp"
#include "handlers/run_ledger.hpp"
#include "handlers/run_log.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace eventmgr::daemon {

// One handler run as the runs table will hold it; id 0 until its row is written.
struct RunRecord {
  std::int64_t id = 0;
  handlers::RunStart start;
  std::string event;                       // its name, for the log line
  int slot = -1;                           // its ledger slot until its row is committed
  std::atomic<std::int64_t> started_ms{0}; // set on the lane's thread when it starts
  bool finished = false;
  bool skipped = false; // taken back before it started
  int tries = 0;        // failed runs of this delivery before this one
  // Written with the run's row when it failed: waiting for a retry (with its due time) or dead.
  struct DeliveryWrite {
    handlers::DeliveryState state = handlers::DeliveryState::waiting;
    std::optional<std::int64_t> due_at;
  };
  std::optional<DeliveryWrite> delivery;
  bool settles = false; // ok after a failed try (or a replay, or a resumed event): its delivery row goes
};

// The dispatcher's book of runs and finished events, written in batches (docs/RELIABILITY.md): one
// transaction holds the finished runs (one complete row each), the runs started and still
// running (a `running` row), and the events finished, every 20 ms or when asked. The run
// ledger covers the runs in between, so a crash still shows them interrupted.
class RunBook {
public:
  RunBook(sqlite::Database& db, events::Journal& journal, handlers::RunLog& run_log,
          handlers::RunLedger& ledger, boost::asio::any_io_executor executor,
          std::shared_ptr<spdlog::logger> log);
  ~RunBook();
  RunBook(const RunBook&) = delete;
  RunBook& operator=(const RunBook&) = delete;

  // Crash recovery at start: the runs the ledger holds without a row are written
  // `interrupted`, and so are the `running` rows; returns how many.
  std::size_t recover();
  // `record` is about to be queued: reserves its ledger slot.
  void queued(const std::shared_ptr<RunRecord>& record);
  // Called on the lane's thread just before `record`'s process starts: marks its ledger slot
  // started, then publishes the start time (once the event loop sees it, it may write the
  // row and free the slot).
  handlers::Launcher::StartHook start_hook(const std::shared_ptr<RunRecord>& record);
  // Taken back before it started: nothing to write.
  void skipped(const std::shared_ptr<RunRecord>& record);
  void finished(const std::shared_ptr<RunRecord>& record, handlers::RunOutcome outcome);
  // Event `seq` is finished: marked done with the next batch. A crash before that leaves it
  // unfinished: it is dispatched again, and the ledger shows its runs not written yet as
  // interrupted.
  // `skipped` is the JSON array of handlers whose condition was false ("" none; nullopt: keep
  // what the event's row says, for a one-handler replay), written in the same statement.
  void event_done(std::int64_t seq, std::optional<std::string> skipped = std::string());
  // Writes what waits now; frees the ledger slots of what was written. A storage failure is
  // logged; the slots stay taken, so the next start shows those runs interrupted.
  void flush();
  // Runs written since `since_ms` (at most an hour back) that ended ok and that failed.
  handlers::RunCounts runs_since(std::int64_t since_ms) const { return m_tally.since(since_ms); }
  // Counts each run whose row is written into `metrics` (runs, duration).
  void count_into(DaemonMetrics& metrics) { m_metrics = &metrics; }

private:
  void schedule_flush();

  sqlite::Database& m_db;
  events::Journal& m_journal;
  handlers::RunLog& m_run_log;
  handlers::RunLedger& m_ledger;
  handlers::DeliveryStore m_deliveries;
  std::shared_ptr<spdlog::logger> m_log;
  std::vector<std::pair<std::int64_t, std::optional<std::string>>> m_done; // finished, not yet marked done
  std::vector<std::shared_ptr<RunRecord>> m_unwritten; // queued or started, no row yet, in order
  std::vector<std::pair<std::shared_ptr<RunRecord>, handlers::RunOutcome>>
      m_finished_runs; // not yet recorded
  bool m_flush_scheduled = false;
  bool m_ledger_full_logged = false;
  boost::asio::steady_timer m_flush_timer;
  RunTally m_tally;
  DaemonMetrics* m_metrics = nullptr;
};

} // namespace eventmgr::daemon
