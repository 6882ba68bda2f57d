// SPDX-License-Identifier: MIT
#include "daemon/recorder.hpp"

#include "common/text.hpp"
#include "events/record.hpp"

#include <utility>

namespace eventmgr::daemon {

Recorder::Recorder(events::Journal& journal, const std::shared_ptr<const events::Catalog>& catalog,
                   std::shared_ptr<spdlog::logger> log)
  : m_journal(journal), m_catalog(catalog), m_log(std::move(log)),
    m_batch(std::make_unique<events::Journal::Batch>(journal)) {}

void Recorder::add(std::string_view line, std::string_view via) {
  // The journal keeps only the given values; the dispatcher's from_json fills the rest.
  auto parsed = events::parse_record(line, *m_catalog, events::Fill::given);
  if (!parsed) {
    reject(line, parsed.error().message, via);
    return;
  }
  for (const auto& warning : parsed->warnings) {
    m_log->warn("record {} via {}: {}", escape_control(parsed->event.submit_id), via,
                escape_control(warning));
  }
  m_pending_ids.push_back(parsed->event.submit_id);
  if (m_keep_outcomes) {
    m_event_outcomes.push_back(m_outcomes.size());
    m_outcomes.push_back({events::ReceiptEntry::Outcome::journaled, parsed->event.submit_id, 0, {}});
  }
  m_via = via;
  m_batch->add(std::move(parsed->event), via, parsed->verbatim ? line : std::string_view());
}

void Recorder::reject(std::string_view raw, std::string_view reason, std::string_view via) {
  m_log->warn("rejected record via {}: {}", via, escape_control(reason));
  m_batch->reject(raw, reason, via, "");
  if (m_keep_outcomes) {
    m_outcomes.push_back({events::ReceiptEntry::Outcome::rejected, {}, 0, std::string(reason)});
  }
}

std::vector<events::ReceiptEntry> Recorder::commit() {
  std::vector<events::ReceiptEntry> outcomes = std::exchange(m_outcomes, {});
  std::vector<std::size_t> event_outcomes = std::exchange(m_event_outcomes, {});
  m_keep_outcomes = false;
  if (m_batch->empty()) {
    return outcomes;
  }
  std::vector<events::Journal::Accepted> results;
  try {
    results = m_batch->commit();
  } catch (...) {
    m_batch = std::make_unique<events::Journal::Batch>(m_journal);
    m_pending_ids.clear();
    throw;
  }
  for (std::size_t i = 0; i < event_outcomes.size() && i < results.size(); ++i) {
    events::ReceiptEntry& outcome = outcomes[event_outcomes[i]];
    outcome.seq = results[i].seq;
    if (results[i].duplicate) {
      outcome.outcome = events::ReceiptEntry::Outcome::duplicate;
    }
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
    m_log->info("journaled {} events {}-{} via {} ({} to dispatch)", added, first_seq, last_seq, m_via, to_dispatch);
  }
  m_pending_ids.clear();
  if (to_dispatch > 0 && m_on_journaled) {
    m_on_journaled();
  }
  return outcomes;
}

} // namespace eventmgr::daemon
