// SPDX-License-Identifier: MIT
#include "events/journal.hpp"

#include "common/clock.hpp"
#include "events/event_json.hpp"

#include <limits>
#include <map>
#include <utility>

namespace eventmgr::events {
namespace {

std::int64_t to_int64(std::size_t value) {
  constexpr auto max = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(value < max ? value : max);
}

constexpr std::string_view k_entry_columns =
  "seq, event, payload, via, source, received_at, state, finished_at";

JournalEntry read_entry(const sqlite::Statement& statement) {
  JournalEntry entry;
  entry.seq = statement.column_int(0);
  entry.event = statement.column_text(1);
  entry.payload = statement.column_text(2);
  entry.via = statement.column_text(3);
  entry.source = statement.column_text(4);
  entry.received_at = statement.column_int(5);
  entry.state = parse_event_state(statement.column_text(6)).value_or(EventState::pending);
  entry.finished_at = statement.column_optional_int(7);
  return entry;
}

constexpr std::string_view k_rejected_columns = "id, received_at, via, source, reason";

RejectedRecord read_rejected(const sqlite::Statement& statement) {
  RejectedRecord record;
  record.id = statement.column_int(0);
  record.received_at = statement.column_int(1);
  record.via = statement.column_text(2);
  record.source = statement.column_text(3);
  record.reason = statement.column_text(4);
  record.raw = statement.column_text(5);
  record.resubmitted_at = statement.column_optional_int(6);
  return record;
}

} // namespace

std::string_view to_string(EventState state) {
  switch (state) {
  case EventState::pending:
    return "pending";
  case EventState::running:
    return "running";
  case EventState::done:
    return "done";
  }
  return "pending";
}

std::optional<EventState> parse_event_state(std::string_view text) {
  for (EventState state : {EventState::pending, EventState::running, EventState::done}) {
    if (text == to_string(state)) {
      return state;
    }
  }
  return std::nullopt;
}

Journal::Journal(sqlite::Database& db)
  : m_db(db),
    m_insert_event(db.prepare(
      "INSERT INTO events (submit_id, event, payload, via, source, received_at, state, finished_at, seq)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
      " ON CONFLICT (submit_id) WHERE submit_id IS NOT NULL DO NOTHING")),
    m_last_seq(db.prepare("SELECT value FROM counters WHERE name = 'last_seq'")),
    m_find_submit_id(db.prepare("SELECT seq FROM events WHERE submit_id = ?1")),
    m_insert_rejected(db.prepare("INSERT INTO rejected (received_at, via, source, reason, raw)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5)")),
    m_add_counter(db.prepare("UPDATE counters SET value = value + ?2 WHERE name = ?1")),
    // `state <> 'done'` repeats the partial index's condition so the planner can use it.
    m_unfinished(db.prepare("SELECT " + std::string(k_entry_columns) +
                            " FROM events WHERE state <> 'done' AND seq > ?1 ORDER BY seq LIMIT ?2")),
    m_get(db.prepare("SELECT " + std::string(k_entry_columns) + " FROM events WHERE seq = ?1")),
    // The journal reads the handlers table for this one fact; the handlers module owns it.
    m_handled_query(db.prepare("SELECT DISTINCT event FROM handlers WHERE enabled <> 0")),
    m_mark_done(db.prepare("UPDATE events SET state = 'done', finished_at = ?2,"
                           " skipped = CASE WHEN ?4 THEN skipped ELSE ?3 END WHERE seq = ?1")),
    m_counters(db.prepare("SELECT name, value FROM counters")),
    m_backlog(db.prepare("SELECT count(*), min(received_at) FROM events WHERE state <> 'done'")),
    m_set_state(db.prepare("INSERT INTO daemon_state (name, value) VALUES (?1, ?2)"
                           " ON CONFLICT (name) DO UPDATE SET value = excluded.value")),
    m_get_state(db.prepare("SELECT value FROM daemon_state WHERE name = ?1")),
    m_clear_state(db.prepare("DELETE FROM daemon_state WHERE name = ?1")),
    m_list_rejected(db.prepare("SELECT " + std::string(k_rejected_columns) +
                               ", substr(raw, 1, ?3), resubmitted_at FROM rejected"
                               " WHERE received_at >= ?1 ORDER BY received_at DESC, id DESC LIMIT ?2")),
    m_get_rejected(db.prepare("SELECT " + std::string(k_rejected_columns) +
                              ", raw, resubmitted_at FROM rejected WHERE id = ?1")),
    m_mark_resubmitted(db.prepare("UPDATE rejected SET resubmitted_at = ?2 WHERE id = ?1")),
    m_count_source(db.prepare("INSERT INTO fleet_sources (host, received, newest_id, newest_at)"
                              " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (host) DO UPDATE SET"
                              " received = received + excluded.received, newest_id = excluded.newest_id,"
                              " newest_at = excluded.newest_at")) {}

void Journal::Batch::add(Event event, std::string_view via, std::string_view record) {
  // Serialised here, outside the write transaction.
  std::string payload = record.empty() ? to_journal_json(event) : std::string(record);
  m_events.push_back({std::move(event), std::string(via), std::move(payload)});
}

void Journal::Batch::reject(std::string_view raw, std::string_view reason, std::string_view via,
                            std::string_view source, std::int64_t records) {
  m_rejections.push_back({std::string(raw.substr(0, k_max_rejected_raw)), std::string(reason),
                          std::string(via), std::string(source), records});
}

std::vector<Journal::Accepted> Journal::Batch::commit() {
  Journal& j = m_journal;
  std::vector<Accepted> results;
  results.reserve(m_events.size());
  std::int64_t accepted = 0;
  std::int64_t duplicate = 0;
  const std::int64_t now = now_ms();

  sqlite::Transaction transaction(j.m_db);
  std::int64_t last_seq = 0;
  if (!m_events.empty()) {
    j.refresh_handled_events();
    last_seq = j.last_seq();
  }
  const std::int64_t first_seq = last_seq + 1;
  // Events from the NATS intake, per source host: how many were new, and the newest one's id.
  std::map<std::string_view, std::pair<std::int64_t, std::string_view>> from_nats;
  for (const Queued& queued : m_events) {
    const Event& event = queued.event;
    const bool pending = j.m_handled_events.count(event.name) > 0;
    sqlite::Statement& insert = j.m_insert_event;
    sqlite::ResetOnExit reset_insert(insert);
    if (event.submit_id.empty()) {
      insert.bind_null(1);
    } else {
      insert.bind(1, event.submit_id);
    }
    insert.bind(2, event.name).bind(3, queued.payload).bind(4, queued.via).bind(5, event.source);
    insert.bind(6, now).bind(7, to_string(pending ? EventState::pending : EventState::done));
    if (pending) {
      insert.bind_null(8);
    } else {
      insert.bind(8, now);
    }
    // seq is given here, not by SQLite (schema version 2). No RETURNING: SQLite buffers its
    // rows in a temporary b-tree, which cost more than the insert itself.
    insert.bind(9, last_seq + 1);
    insert.run();
    if (j.m_db.changes() > 0) {
      results.push_back({++last_seq, false, pending});
      ++accepted;
      if (queued.via == k_via_nats) {
        auto& counted = from_nats[event.source];
        ++counted.first;
        counted.second = event.submit_id;
      }
      continue;
    }
    results.push_back({j.seq_of(event.submit_id).value_or(0), true});
    ++duplicate;
  }
  std::int64_t rejected = 0;
  for (const Rejection& rejection : m_rejections) {
    rejected += rejection.records;
    j.m_insert_rejected.bind(1, now)
      .bind(2, rejection.via)
      .bind(3, rejection.source)
      .bind(4, rejection.reason)
      .bind_blob(5, rejection.raw);
    j.m_insert_rejected.run();
  }
  for (const auto& [host, counted] : from_nats) {
    j.m_count_source.bind(1, host).bind(2, counted.first).bind(3, counted.second).bind(4, now);
    j.m_count_source.run();
  }
  const std::pair<const char*, std::int64_t> increments[] = {{"accepted", accepted},
                                                             {"duplicate", duplicate},
                                                             {"rejected", rejected},
                                                             {"last_seq", last_seq + 1 - first_seq}};
  for (const auto& [name, amount] : increments) {
    if (amount != 0) {
      j.m_add_counter.bind(1, name).bind(2, amount);
      j.m_add_counter.run();
    }
  }
  transaction.commit();

  m_events.clear();
  m_rejections.clear();
  return results;
}

std::vector<Journal::Accepted> Journal::append(std::span<const Event> events, std::string_view via) {
  Batch batch(*this);
  for (const Event& event : events) {
    batch.add(event, via);
  }
  return batch.commit();
}

void Journal::reject(std::string_view raw, std::string_view reason, std::string_view via,
                     std::string_view source) {
  Batch batch(*this);
  batch.reject(raw, reason, via, source);
  batch.commit();
}

std::vector<JournalEntry> Journal::unfinished(std::int64_t after_seq, std::size_t limit,
                                              std::size_t max_bytes) {
  std::vector<JournalEntry> entries;
  std::size_t bytes = 0;
  sqlite::ResetOnExit reset(m_unfinished);
  m_unfinished.bind(1, after_seq).bind(2, to_int64(limit));
  while (bytes < max_bytes && m_unfinished.step()) {
    entries.push_back(read_entry(m_unfinished));
    bytes += entries.back().payload.size();
  }
  return entries;
}

std::int64_t Journal::last_seq() {
  sqlite::ResetOnExit reset(m_last_seq);
  if (!m_last_seq.step()) {
    throw sqlite::Failure("the journal's counters have no last_seq row");
  }
  return m_last_seq.column_int(0);
}

std::optional<JournalEntry> Journal::get(std::int64_t seq) {
  sqlite::ResetOnExit reset(m_get);
  m_get.bind(1, seq);
  if (!m_get.step()) {
    return std::nullopt;
  }
  return read_entry(m_get);
}

void Journal::refresh_handled_events() {
  const std::int64_t version = m_db.data_version();
  if (version == m_handled_version) {
    return;
  }
  std::set<std::string, std::less<>> names;
  sqlite::ResetOnExit reset(m_handled_query);
  while (m_handled_query.step()) {
    names.insert(m_handled_query.column_text(0));
  }
  m_handled_events = std::move(names);
  m_handled_version = version;
}

void Journal::mark_done(std::int64_t seq, std::int64_t finished_at, const std::optional<std::string>& skipped) {
  m_mark_done.bind(1, seq).bind(2, finished_at).bind(4, skipped ? 0 : 1);
  if (skipped && !skipped->empty()) {
    m_mark_done.bind(3, *skipped);
  } else {
    m_mark_done.bind_null(3);
  }
  m_mark_done.run();
}

Counters Journal::counters() {
  Counters counters;
  sqlite::ResetOnExit reset(m_counters);
  while (m_counters.step()) {
    const std::string name = m_counters.column_text(0);
    const std::int64_t value = m_counters.column_int(1);
    if (name == "accepted") {
      counters.accepted = value;
    } else if (name == "rejected") {
      counters.rejected = value;
    } else if (name == "duplicate") {
      counters.duplicate = value;
    }
  }
  return counters;
}

Backlog Journal::backlog() {
  sqlite::ResetOnExit reset(m_backlog);
  Backlog backlog;
  if (m_backlog.step()) {
    backlog.count = m_backlog.column_int(0);
    backlog.oldest_received_at = m_backlog.column_optional_int(1);
  }
  return backlog;
}

void Journal::set_daemon_state(std::string_view name, std::string_view value) {
  m_set_state.bind(1, name).bind(2, value);
  m_set_state.run();
}

std::optional<std::string> Journal::get_daemon_state(std::string_view name) {
  sqlite::ResetOnExit reset(m_get_state);
  m_get_state.bind(1, name);
  if (!m_get_state.step()) {
    return std::nullopt;
  }
  return m_get_state.column_text(0);
}

void Journal::clear_daemon_state(std::string_view name) {
  m_clear_state.bind(1, name);
  m_clear_state.run();
}

std::vector<RejectedRecord> Journal::list_rejected(std::int64_t since, std::size_t limit,
                                                   std::size_t preview_bytes) {
  std::vector<RejectedRecord> records;
  sqlite::ResetOnExit reset(m_list_rejected);
  m_list_rejected.bind(1, since).bind(2, to_int64(limit)).bind(3, to_int64(preview_bytes));
  while (m_list_rejected.step()) {
    records.push_back(read_rejected(m_list_rejected));
  }
  return records;
}

std::optional<RejectedRecord> Journal::get_rejected(std::int64_t id) {
  sqlite::ResetOnExit reset(m_get_rejected);
  m_get_rejected.bind(1, id);
  if (!m_get_rejected.step()) {
    return std::nullopt;
  }
  return read_rejected(m_get_rejected);
}

bool Journal::mark_resubmitted(std::int64_t id, std::int64_t at) {
  m_mark_resubmitted.bind(1, id).bind(2, at);
  m_mark_resubmitted.run();
  return m_db.changes() > 0;
}

std::optional<std::int64_t> Journal::seq_of(std::string_view submit_id) {
  sqlite::ResetOnExit reset(m_find_submit_id);
  m_find_submit_id.bind(1, submit_id);
  if (m_find_submit_id.step()) {
    return m_find_submit_id.column_int(0);
  }
  return std::nullopt;
}

PruneCounts Journal::prune(std::int64_t older_than, PruneMode mode) {
  // Rarely run, so its statements are prepared here rather than kept.
  PruneCounts counts;
  sqlite::Transaction transaction(m_db);
  // The runs go by ON DELETE CASCADE, which changes() does not count: count them first.
  auto count_runs = m_db.prepare(
    "SELECT count(*) FROM runs WHERE event_seq IN"
    " (SELECT seq FROM events WHERE state = 'done' AND finished_at < ?1)");
  count_runs.bind(1, older_than);
  if (count_runs.step()) {
    counts.runs = count_runs.column_int(0);
  }
  count_runs.reset();
  auto delete_events = m_db.prepare("DELETE FROM events WHERE state = 'done' AND finished_at < ?1");
  delete_events.bind(1, older_than);
  delete_events.run();
  counts.events = m_db.changes();
  auto delete_rejected = m_db.prepare("DELETE FROM rejected WHERE received_at < ?1");
  delete_rejected.bind(1, older_than);
  delete_rejected.run();
  counts.rejected = m_db.changes();
  if (mode == PruneMode::apply) {
    transaction.commit();
  }
  return counts;
}

} // namespace eventmgr::events
