// SPDX-License-Identifier: MIT
#include "daemon/recorder.hpp"

#include "events/record.hpp"

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
    m_log->warn("record {} via {}: {}", parsed->event.submit_id, via, warning);
  }
  m_pending_ids.push_back(parsed->event.submit_id);
  m_batch->add(std::move(parsed->event), via);
}

void Recorder::reject(std::string_view raw, std::string_view reason, std::string_view via) {
  m_log->warn("rejected record via {}: {}", via, reason);
  m_batch->reject(raw, reason, via, "");
}

void Recorder::commit() {
  if (m_batch->empty()) {
    return;
  }
  std::vector<events::Journal::Accepted> results;
  try {
    results = m_batch->commit();
  } catch (...) {
    m_batch = std::make_unique<events::Journal::Batch>(m_journal);
    m_pending_ids.clear();
    throw;
  }
  bool to_dispatch = false;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::string& id = m_pending_ids[i];
    if (results[i].duplicate) {
      m_log->info("duplicate record id {} ignored (journaled as event {})", id, results[i].seq);
    } else {
      to_dispatch = to_dispatch || results[i].pending;
      m_log->info("accepted event {}{}{}{}", results[i].seq, id.empty() ? "" : " id ", id,
                  results[i].pending ? "" : " (no enabled handler: done)");
    }
  }
  m_pending_ids.clear();
  if (to_dispatch && m_on_journaled) {
    m_on_journaled();
  }
}

} // namespace eventmgr::daemon
