// SPDX-License-Identifier: MIT
#include "daemon/recorder.hpp"

#include "common/clock.hpp"
#include "common/text.hpp"
#include "daemon/log_fields.hpp"
#include "events/record.hpp"
#include "events/rejection_kind.hpp"

#include <algorithm>
#include <utility>

namespace eventmgr::daemon {
namespace {

// A flood that goes on writes its summary this often, so `status` and `rejected` see it.
constexpr std::int64_t k_summary_every_ms = 10'000;

} // namespace

Recorder::Recorder(events::Journal& journal, const std::shared_ptr<const events::Catalog>& catalog,
                   std::shared_ptr<spdlog::logger> log)
    : m_journal(journal), m_catalog(catalog), m_log(std::move(log)),
      m_batch(std::make_unique<events::Journal::Batch>(journal)) {}

void Recorder::add(std::string_view line, std::string_view via) {
  if (auto reason = try_add(line, via)) {
    reject(line, *reason, via);
  }
}

std::optional<std::string> Recorder::try_add(std::string_view line, std::string_view via) {
  // The journal keeps only the given values; the dispatcher's from_json fills the rest.
  auto parsed = events::parse_record(line, *m_catalog, events::Fill::given);
  if (!parsed) {
    return std::move(parsed.error().message);
  }
  const bool verbatim = parsed->verbatim;
  queue(std::move(parsed.value()), via, verbatim ? line : std::string_view());
  return std::nullopt;
}

std::optional<std::string> Recorder::try_add_forwarded(std::string_view line, std::string_view id,
                                                       std::string_view source, std::string_view via) {
  auto parsed = events::parse_record(line, *m_catalog, events::Fill::given);
  if (!parsed) {
    return std::move(parsed.error().message);
  }
  parsed->event.submit_id = id;
  parsed->event.source = source;
  queue(std::move(parsed.value()), via, {}); // no longer the record as it arrived
  return std::nullopt;
}

void Recorder::queue(events::ParsedRecord parsed, std::string_view via, std::string_view record) {
  for (const auto& warning : parsed.warnings) {
    m_log->warn("record {} via {}: {}", escape_control(parsed.event.submit_id), via, escape_control(warning));
  }
  m_pending_ids.push_back(parsed.event.submit_id);
  if (m_keep_outcomes) {
    m_event_outcomes.push_back(m_outcomes.size());
    m_outcomes.push_back({events::ReceiptEntry::Outcome::journaled, parsed.event.submit_id, 0, {}});
  }
  m_via = via;
  ++m_queued_events;
  m_batch->add(std::move(parsed.event), via, record);
}

void Recorder::reject(std::string_view raw, std::string_view reason, std::string_view via) {
  const std::string_view kind = events::rejection_kind(reason);
  auto counted = std::find_if(m_queued_rejections.begin(), m_queued_rejections.end(),
                              [&](const RejectedCount& c) { return c.via == via && c.kind == kind; });
  if (counted == m_queued_rejections.end()) {
    counted = m_queued_rejections.insert(counted, RejectedCount{std::string(via), kind, 0});
  }
  ++counted->count;
  if (m_keep_outcomes) {
    m_outcomes.push_back({events::ReceiptEntry::Outcome::rejected, {}, 0, std::string(reason)});
  }
  auto it = m_bursts.find(via);
  if (it == m_bursts.end()) {
    it = m_bursts.emplace(std::string(via), Burst{}).first;
  }
  Burst& burst = it->second;
  burst.ended = false;
  burst.last_at = now_ms();
  if (burst.rows < k_burst_rows) {
    ++burst.rows;
    const LogFields fields{.message_id = k_message_record_rejected, .via = via, .reason = kind};
    ScopedLogFields scoped(fields);
    m_log->warn("rejected record via {}: {}", via, escape_control(reason));
    m_batch->reject(raw, reason, via, "");
    return;
  }
  if (burst.folded == 0) {
    burst.folded_since = burst.last_at;
    burst.first_reason = reason;
    m_log->warn(
        "more than {} records rejected via {} in one burst: the next ones are kept together in one summary "
        "record",
        k_burst_rows, via);
  }
  ++burst.folded;
  burst.folded_bytes += raw.size();
  // One per line, as long as they fit: a flood of short lines stays readable.
  if (burst.folded_raw.size() < events::k_max_rejected_raw) {
    if (!burst.folded_raw.empty()) {
      burst.folded_raw += '\n';
    }
    burst.folded_raw.append(raw.substr(0, events::k_max_rejected_raw - burst.folded_raw.size()));
  }
}

void Recorder::end_burst(std::string_view via) {
  auto it = m_bursts.find(via);
  if (it == m_bursts.end()) {
    return;
  }
  if (it->second.folded == 0) {
    m_bursts.erase(it);
  } else {
    it->second.ended = true;
  }
}

std::optional<std::int64_t> Recorder::burst_last_rejection(std::string_view via) const {
  auto it = m_bursts.find(via);
  if (it == m_bursts.end() || it->second.ended) {
    return std::nullopt;
  }
  return it->second.last_at;
}

bool Recorder::summary_due() const {
  for (const auto& [via, burst] : m_bursts) {
    if (burst.folded > 0 && burst.ended) {
      return true;
    }
  }
  return false;
}

std::vector<events::ReceiptEntry> Recorder::commit() {
  std::vector<events::ReceiptEntry> outcomes = std::exchange(m_outcomes, {});
  std::vector<std::size_t> event_outcomes = std::exchange(m_event_outcomes, {});
  m_keep_outcomes = false;
  // What the bursts were before this batch: restored when it fails, as its rows are dropped.
  std::map<std::string, Burst, std::less<>> before;
  std::vector<std::string> summaries; // log lines, written once the summaries are committed
  if (!m_bursts.empty()) {
    before = m_bursts;
    const std::int64_t now = now_ms();
    for (auto it = m_bursts.begin(); it != m_bursts.end();) {
      Burst& burst = it->second;
      if (burst.folded > 0 && (burst.ended || now - burst.folded_since >= k_summary_every_ms)) {
        const std::string reason = std::to_string(burst.folded) + " more records rejected via " + it->first +
                                   " in one burst (" + std::to_string(burst.folded_bytes) + " bytes, from " +
                                   format_rfc3339(burst.folded_since) +
                                   "), kept as this one record: the first of them, one per line, up to 64 "
                                   "KiB; the first one's reason: " +
                                   burst.first_reason;
        m_batch->reject(burst.folded_raw, reason, it->first, "", burst.folded);
        summaries.push_back("rejected " + std::to_string(burst.folded) + " more records via " + it->first +
                            " (" + std::to_string(burst.folded_bytes) +
                            " bytes): kept as one summary record");
        burst.folded = 0;
        burst.folded_bytes = 0;
        burst.folded_raw.clear();
        burst.first_reason.clear();
      }
      it = burst.ended && burst.folded == 0 ? m_bursts.erase(it) : std::next(it);
    }
  }
  if (m_batch->empty()) {
    count_committed(); // records folded into a summary still to come: taken in all the same
    return outcomes;
  }
  std::vector<events::Journal::Accepted> results;
  try {
    results = m_batch->commit();
  } catch (...) {
    m_batch = std::make_unique<events::Journal::Batch>(m_journal);
    m_pending_ids.clear();
    m_bursts = std::move(before);
    m_queued_events = 0; // read again from the pipe or the pickup file, and counted then
    m_queued_rejections.clear();
    throw;
  }
  count_committed();
  for (std::size_t i = 0; i < event_outcomes.size() && i < results.size(); ++i) {
    events::ReceiptEntry& outcome = outcomes[event_outcomes[i]];
    outcome.seq = results[i].seq;
    if (results[i].duplicate) {
      outcome.outcome = events::ReceiptEntry::Outcome::duplicate;
    }
  }
  for (const auto& line : summaries) {
    const LogFields fields{.message_id = k_message_record_rejected};
    ScopedLogFields scoped(fields);
    m_log->warn("{}", line);
  }
  // One info line per batch (a batch is often thousands of records); each event at debug.
  std::size_t added = 0;
  std::size_t to_dispatch = 0;
  std::int64_t first_seq = 0;
  std::int64_t last_seq = 0;
  std::string_view first_id;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::string& id = m_pending_ids[i];
    if (results[i].duplicate) {
      m_log->info("duplicate record id {} ignored (journaled as event {})", escape_control(id),
                  results[i].seq);
      continue;
    }
    ++added;
    to_dispatch += results[i].pending ? 1 : 0;
    if (first_seq == 0) {
      first_seq = results[i].seq;
      first_id = id;
    }
    last_seq = results[i].seq;
    if (m_log->should_log(spdlog::level::debug)) { // no escaping per record unless it is logged
      m_log->debug("accepted event {}{}{}{}", results[i].seq, id.empty() ? "" : " id ", escape_control(id),
                   results[i].pending ? "" : " (no enabled handler: done)");
    }
  }
  if (added == 1) {
    m_log->info("journaled event {}{}{} via {}{}", first_seq, first_id.empty() ? "" : " id ",
                escape_control(first_id), m_via, to_dispatch == 0 ? " (no enabled handler: done)" : "");
  } else if (added > 1) {
    m_log->info("journaled {} events {}-{} via {} ({} to dispatch)", added, first_seq, last_seq, m_via,
                to_dispatch);
  }
  m_pending_ids.clear();
  if (to_dispatch > 0 && m_on_journaled) {
    m_on_journaled();
  }
  return outcomes;
}

void Recorder::count_committed() {
  if (m_metrics != nullptr) {
    if (m_queued_events > 0) {
      m_metrics->records_received.with({m_via}).add(m_queued_events);
    }
    for (const RejectedCount& rejected : m_queued_rejections) {
      m_metrics->records_received.with({rejected.via}).add(rejected.count);
      m_metrics->records_rejected.with({rejected.kind}).add(rejected.count);
    }
  }
  m_queued_events = 0;
  m_queued_rejections.clear();
}

} // namespace eventmgr::daemon
