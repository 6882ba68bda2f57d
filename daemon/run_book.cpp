// SPDX-License-Identifier: MIT
#include "daemon/run_book.hpp"

#include "common/clock.hpp"
#include "common/sqlite.hpp"
#include "common/text.hpp"
#include "daemon/log_fields.hpp"

#include <algorithm>
#include <chrono>

namespace eventmgr::daemon {
namespace {

// How long the rows of started and finished runs may wait in memory (and the ledger) before
// they are written in one transaction.
constexpr auto k_flush_delay = std::chrono::milliseconds(20);
// Ledger slots kept free: below this, a new run first writes what waits.
constexpr std::size_t k_ledger_reserve = 16;

// The result label of a finished run: the word the runs table stores.
std::string_view result_label(handlers::RunStatus status) {
  switch (status) {
  case handlers::RunStatus::ok:
    return "ok";
  case handlers::RunStatus::exit:
    return "exit";
  case handlers::RunStatus::signal:
    return "signal";
  case handlers::RunStatus::timeout:
    return "timeout";
  case handlers::RunStatus::not_started:
    break;
  }
  return "not_started";
}

// What becomes of a failed run's delivery, for its log line.
std::string delivery_note(const RunRecord& record) {
  if (!record.delivery) {
    return {};
  }
  if (record.delivery->state == handlers::DeliveryState::dead) {
    return "; dead letter after " + std::to_string(record.tries + 1) +
           (record.tries == 0 ? " try" : " tries");
  }
  return "; retry " + std::to_string(record.tries + 1) + " in " +
         format_duration(std::max<std::int64_t>(0, record.delivery->due_at.value_or(0) - now_ms()));
}

} // namespace

RunBook::RunBook(sqlite::Database& db, events::Journal& journal, handlers::RunLog& run_log,
                 handlers::RunLedger& ledger, boost::asio::any_io_executor executor,
                 std::shared_ptr<spdlog::logger> log)
    : m_db(db), m_journal(journal), m_run_log(run_log), m_ledger(ledger), m_deliveries(db),
      m_log(std::move(log)), m_flush_timer(std::move(executor)) {}

RunBook::~RunBook() {
  m_flush_timer.cancel();
}

std::size_t RunBook::recover() {
  m_tally.seed(m_db, now_ms());
  std::size_t interrupted = 0;
  if (const auto& left_over = m_ledger.left_over(); !left_over.empty()) {
    std::int64_t now = now_ms();
    sqlite::Transaction transaction(m_db);
    for (const auto& start : left_over) {
      interrupted += m_run_log.record_interrupted(start, now) ? 1 : 0;
    }
    transaction.commit();
    m_ledger.clear_left_over();
  }
  return interrupted + m_run_log.mark_interrupted_running().size();
}

void RunBook::queued(const std::shared_ptr<RunRecord>& record) {
  if (m_ledger.free_slots() <= k_ledger_reserve) {
    flush();
  }
  record->slot = m_ledger.reserve(record->start);
  if (record->slot < 0 && !m_ledger_full_logged) {
    m_ledger_full_logged = true;
    m_log->warn("the run ledger is full: a crash would not show runs started now as interrupted until "
                "their rows are written");
  }
  m_unwritten.push_back(record);
  schedule_flush();
}

handlers::Launcher::StartHook RunBook::start_hook(const std::shared_ptr<RunRecord>& record) {
  return [ledger = &m_ledger, record, slot = record->slot](std::int64_t started_ms) {
    ledger->mark_started(slot, started_ms);
    record->started_ms.store(started_ms, std::memory_order_release);
  };
}

void RunBook::skipped(const std::shared_ptr<RunRecord>& record) {
  m_ledger.release(std::exchange(record->slot, -1));
  record->skipped = true;
}

void RunBook::finished(const std::shared_ptr<RunRecord>& record, handlers::RunOutcome outcome) {
  record->finished = true;
  m_finished_runs.emplace_back(record, std::move(outcome));
  schedule_flush();
}

void RunBook::event_done(std::int64_t seq, std::optional<std::string> skipped) {
  m_done.emplace_back(seq, std::move(skipped));
  schedule_flush();
}

void RunBook::schedule_flush() {
  if (m_flush_scheduled) {
    return;
  }
  m_flush_scheduled = true;
  m_flush_timer.expires_after(k_flush_delay);
  m_flush_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) {
      return; // cancelled: the book is going away
    }
    m_flush_scheduled = false;
    flush();
  });
}

void RunBook::flush() {
  if (m_done.empty() && m_finished_runs.empty() && m_unwritten.empty()) {
    return;
  }
  std::vector<std::shared_ptr<RunRecord>> running; // started, not finished: written as running
  std::vector<std::shared_ptr<RunRecord>> queued;  // not started yet: they wait
  for (const auto& record : m_unwritten) {
    if (record->finished || record->skipped) {
      continue; // in m_finished_runs, or never to be written
    }
    (record->started_ms.load(std::memory_order_acquire) != 0 ? running : queued).push_back(record);
  }
  if (m_done.empty() && m_finished_runs.empty() && running.empty()) {
    m_unwritten = std::move(queued);
    return;
  }
  try {
    std::int64_t now = now_ms();
    sqlite::Transaction transaction(m_db);
    for (const auto& record : running) {
      const auto& start = record->start;
      record->id = m_run_log.start_run(start.event_seq, start.handler_id, start.attempt, start.user,
                                       start.argv_json, record->started_ms.load());
    }
    for (const auto& [record, outcome] : m_finished_runs) {
      if (record->id == 0) {
        record->start.started_at = outcome.started_ms != 0 ? outcome.started_ms : record->start.started_at;
        record->id = m_run_log.record_run(record->start, handlers::to_run_end(outcome));
      } else {
        m_run_log.finish_run(record->id, outcome);
      }
      // The due time of a retry is durable with the failed run's row, in this transaction.
      if (record->delivery) {
        m_deliveries.record_failure(record->start.event_seq, record->start.handler_id,
                                    record->delivery->state, record->tries + 1, record->delivery->due_at,
                                    outcome.finished_ms != 0 ? outcome.finished_ms : now, record->id);
      } else if (record->settles) {
        m_deliveries.settle(record->start.event_seq, record->start.handler_id);
      }
    }
    for (const auto& [seq, skipped] : m_done) {
      m_journal.mark_done(seq, now, skipped);
    }
    transaction.commit();
    // Written: their ledger slots are free again.
    for (const auto& record : running) {
      m_ledger.release(std::exchange(record->slot, -1));
    }
    for (const auto& [record, outcome] : m_finished_runs) {
      m_ledger.release(std::exchange(record->slot, -1));
      const bool failed = outcome.status != handlers::RunStatus::ok;
      m_tally.add(outcome.started_ms != 0 ? outcome.started_ms : record->start.started_at, failed);
      if (m_metrics != nullptr) {
        const std::string handler = std::to_string(record->start.handler_id);
        m_metrics->runs.with({record->event, handler, result_label(outcome.status)}).add();
        if (outcome.started_ms != 0) {
          m_metrics->run_duration.observe(static_cast<double>(outcome.finished_ms - outcome.started_ms) /
                                          1000.0);
        }
      }
      const LogFields fields{.message_id = failed ? k_message_run_failed : std::string_view(),
                             .event = record->event,
                             .event_id = record->start.event_seq,
                             .run_id = record->id,
                             .handler_id = record->start.handler_id};
      ScopedLogFields scoped(fields);
      auto level = failed ? spdlog::level::warn : spdlog::level::info;
      m_log->log(level, "run {}: event {} ({}) handler {} as {}: {} in {}{}", record->id,
                 record->start.event_seq, record->event, record->start.handler_id, record->start.user,
                 escape_control(handlers::describe_result(outcome)),
                 format_duration(outcome.finished_ms - outcome.started_ms), delivery_note(*record));
      // Every failed run carries the run-failed MESSAGE_ID; a dead letter also gets a line of its
      // own, so `journalctl MESSAGE_ID=<dead letter>` lists exactly the deliveries that gave up.
      if (record->delivery && record->delivery->state == handlers::DeliveryState::dead) {
        const LogFields dead_fields{.message_id = k_message_dead_letter,
                                    .event = record->event,
                                    .event_id = record->start.event_seq,
                                    .run_id = record->id,
                                    .handler_id = record->start.handler_id};
        ScopedLogFields dead_scoped(dead_fields);
        m_log->warn("dead letter: event {} ({}) handler {} gave up after run {} (eventmgr dead lists it)",
                    record->start.event_seq, record->event, record->start.handler_id, record->id);
      }
    }
  } catch (const sqlite::Failure& failure) {
    // Their ledger slots stay taken, so the next start shows these runs interrupted.
    m_log->error("cannot record {} started and {} finished runs and {} finished events: {}; they run again "
                 "after a restart",
                 running.size(), m_finished_runs.size(), m_done.size(), failure.what());
    for (const auto& record : running) {
      record->id = 0; // rolled back: a later flush inserts it whole
    }
    for (const auto& [record, outcome] : m_finished_runs) {
      record->id = 0;
    }
  }
  m_unwritten = std::move(queued);
  m_finished_runs.clear();
  m_done.clear();
}

} // namespace eventmgr::daemon
