// SPDX-License-Identifier: MIT
#pragma once

#include "daemon/daemon_metrics.hpp"
#include "events/catalog.hpp"
#include "events/journal.hpp"
#include "events/panel_files.hpp"
#include "events/record.hpp"

#include <spdlog/logger.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace eventmgr::daemon {

// At most this many rejected records of one burst (per intake) are stored and logged one by
// one; the rest are folded into a summary row that counts them and keeps their first 64 KiB.
inline constexpr std::size_t k_burst_rows = 100;

// Validates raw records and journals them: accepted events and rejected records of one batch
// go into one transaction (group commit). Shared by the pipe and the pickup intake.
class Recorder {
public:
  // `catalog` is read at each add(), so a reload takes effect for the next record.
  Recorder(events::Journal& journal, const std::shared_ptr<const events::Catalog>& catalog,
           std::shared_ptr<spdlog::logger> log);

  // Validates `line` (one record without its newline) and queues it, accepted or rejected.
  void add(std::string_view line, std::string_view via);
  // Queues `line` when it is a valid record; else queues nothing and returns the reason.
  std::optional<std::string> try_add(std::string_view line, std::string_view via);
  // Queues `line`, a record another host journaled and forwarded, when it is valid: its record
  // id becomes `id` (`<host>:<seq>`, so a redelivery is a duplicate) and its source `source`.
  // Else queues nothing and returns the reason.
  std::optional<std::string> try_add_forwarded(std::string_view line, std::string_view id, std::string_view source,
                                               std::string_view via);
  // Queues `raw` as rejected for `reason` (an over-long line, an unreadable file). Beyond
  // k_burst_rows in the current burst of `via`, it is folded into that burst's summary.
  void reject(std::string_view raw, std::string_view reason, std::string_view via);
  // Ends the burst of `via`: its summary (if any) goes into the next commit, and the next
  // rejection is stored on its own again. The pickup intake ends one per file.
  void end_burst(std::string_view via);
  // The time (unix ms) of the last rejection via `via` in a burst that has not ended.
  std::optional<std::int64_t> burst_last_rejection(std::string_view via) const;
  bool empty() const { return m_batch->empty() && !summary_due(); }
  // The next commit() returns what became of each record queued until then (for a receipt).
  void keep_outcomes() { m_keep_outcomes = true; }
  // Writes the queued records in one transaction; on success calls the journaled callback when
  // at least one new event was accepted. A summary is written when its burst ended or every
  // 10 s of a burst that goes on. Throws sqlite::Failure; the batch is then dropped, and the
  // caller reads its records again (they stay in the pipe or the pickup file). Returns the
  // records' outcomes in order after keep_outcomes(), else nothing.
  std::vector<events::ReceiptEntry> commit();
  // Called after a commit that added events (the dispatcher looks for work).
  void on_journaled(std::function<void()> callback) { m_on_journaled = std::move(callback); }
  // Counts the records of each committed batch into `metrics` (received, rejected).
  void count_into(DaemonMetrics& metrics) { m_metrics = &metrics; }

private:
  // The rejections of one intake since its burst began.
  struct Burst {
    std::size_t rows = 0;     // stored one row each
    std::int64_t last_at = 0; // the last rejection, unix ms
    std::int64_t folded = 0;  // folded into the summary
    std::size_t folded_bytes = 0;
    std::int64_t folded_since = 0; // the first folded one, unix ms
    std::string folded_raw;        // the folded records, one per line, cut at 64 KiB
    std::string first_reason;
    bool ended = false;
  };
  bool summary_due() const;
  void queue(events::ParsedRecord parsed, std::string_view via, std::string_view record);
  // Adds the queued records' counts to the metrics (their batch is committed) and clears them.
  void count_committed();

  events::Journal& m_journal;
  const std::shared_ptr<const events::Catalog>& m_catalog;
  std::shared_ptr<spdlog::logger> m_log;
  std::unique_ptr<events::Journal::Batch> m_batch;
  std::vector<std::string> m_pending_ids;             // submit ids of queued events, for the log lines
  std::string m_via;                                  // how the queued events came (one intake per batch)
  std::map<std::string, Burst, std::less<>> m_bursts; // by via; empty unless something was rejected
  std::function<void()> m_on_journaled;
  bool m_keep_outcomes = false;
  std::vector<events::ReceiptEntry> m_outcomes; // with keep_outcomes: one per queued record
  std::vector<std::size_t> m_event_outcomes;    // the index in m_outcomes of each queued event
  DaemonMetrics* m_metrics = nullptr;
  std::uint64_t m_queued_events = 0; // valid records queued since the last commit (via m_via)
  // Rejections since the last commit, by (via, kind): few, so a small list.
  struct RejectedCount {
    std::string via;
    std::string_view kind;
    std::uint64_t count = 0;
  };
  std::vector<RejectedCount> m_queued_rejections;
};

} // namespace eventmgr::daemon
