// SPDX-License-Identifier: MIT
#pragma once

#include "events/catalog.hpp"
#include "events/journal.hpp"
#include "events/panel_files.hpp"

#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <string_view>

namespace eventmgr::daemon {

// Validates raw records and journals them: accepted events and rejected records of one batch
// go into one transaction (group commit). Shared by the pipe and the pickup intake.
class Recorder {
public:
  // `catalog` is read at each add(), so a reload takes effect for the next record.
  Recorder(events::Journal& journal, const std::shared_ptr<const events::Catalog>& catalog,
           std::shared_ptr<spdlog::logger> log);

  // Validates `line` (one record without its newline) and queues it, accepted or rejected.
  void add(std::string_view line, std::string_view via);
  // Queues `raw` as rejected for `reason` (an over-long line, an unreadable file).
  void reject(std::string_view raw, std::string_view reason, std::string_view via);
  bool empty() const { return m_batch->empty(); }
  // The next commit() returns what became of each record queued until then (for a receipt).
  void keep_outcomes() { m_keep_outcomes = true; }
  // Writes the queued records in one transaction; on success calls the journaled callback when
  // at least one new event was accepted. Throws sqlite::Failure; the batch is then dropped, and
  // the caller reads its records again (they stay in the pipe or the pickup file). Returns the
  // records' outcomes in order after keep_outcomes(), else nothing.
  std::vector<events::ReceiptEntry> commit();
  // Called after a commit that added events (the dispatcher looks for work).
  void on_journaled(std::function<void()> callback) { m_on_journaled = std::move(callback); }

private:
  events::Journal& m_journal;
  const std::shared_ptr<const events::Catalog>& m_catalog;
  std::shared_ptr<spdlog::logger> m_log;
  std::unique_ptr<events::Journal::Batch> m_batch;
  std::vector<std::string> m_pending_ids; // submit ids of queued events, for the log lines
  std::string m_via;                      // how the queued events came (one intake per batch)
  std::function<void()> m_on_journaled;
  bool m_keep_outcomes = false;
  std::vector<events::ReceiptEntry> m_outcomes; // with keep_outcomes: one per queued record
  std::vector<std::size_t> m_event_outcomes;    // the index in m_outcomes of each queued event
};

} // namespace eventmgr::daemon
