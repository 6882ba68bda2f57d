// SPDX-License-Identifier: MIT
#include "handlers/delivery_store.hpp"

#include "handlers/launcher.hpp"
#include "handlers/run_log.hpp"

#include <algorithm>

namespace eventmgr::handlers {
namespace {

constexpr int k_ex_tempfail = 75;

constexpr std::string_view k_columns =
    "d.id, d.event_seq, coalesce(e.event, ''), d.handler_id, d.state, d.tries, d.due_at, d.first_failed_at,"
    " d.last_failed_at, d.last_run_id, coalesce(r.attempt, 0), r.status, r.exit_code, r.signal,"
    " coalesce(r.start_error, '')";

constexpr std::string_view k_from =
    " FROM deliveries d LEFT JOIN events e ON e.seq = d.event_seq LEFT JOIN runs r ON r.id = d.last_run_id";

DeliveryState parse_state(std::string_view text) {
  if (text == "dead") {
    return DeliveryState::dead;
  }
  if (text == "dropped") {
    return DeliveryState::dropped;
  }
  if (text == "queued") {
    return DeliveryState::queued;
  }
  return DeliveryState::waiting;
}

DeliveryRow read_row(const sqlite::Statement& statement) {
  DeliveryRow row;
  row.id = statement.column_int(0);
  row.event_seq = statement.column_int(1);
  row.event = statement.column_text(2);
  row.handler_id = statement.column_int(3);
  row.state = parse_state(statement.column_text(4));
  row.tries = static_cast<int>(statement.column_int(5));
  row.due_at = statement.column_optional_int(6);
  row.first_failed_at = statement.column_int(7);
  row.last_failed_at = statement.column_int(8);
  row.last_run_id = statement.column_int(9);
  row.last_attempt = static_cast<int>(statement.column_int(10));
  if (statement.column_is_null(11)) {
    row.last_result = "pruned";
  } else {
    auto state = parse_run_state(statement.column_text(11)).value_or(RunState::interrupted);
    auto exit_code = statement.column_optional_int(12);
    auto signal = statement.column_optional_int(13);
    row.last_result = describe_result(
        state, exit_code ? std::optional<int>(static_cast<int>(*exit_code)) : std::nullopt,
        signal ? std::optional<int>(static_cast<int>(*signal)) : std::nullopt, statement.column_text(14));
  }
  return row;
}

} // namespace

Failure classify(const RunOutcome& outcome) {
  switch (outcome.status) {
  case RunStatus::ok:
    return Failure::none;
  case RunStatus::exit:
    return outcome.exit_code == k_ex_tempfail ? Failure::temporary : Failure::permanent;
  case RunStatus::signal:
  case RunStatus::timeout:
  case RunStatus::not_started:
    return Failure::temporary;
  }
  return Failure::permanent;
}

bool is_retried(const RunOutcome& outcome, RetryOn retry_on) {
  Failure failure = classify(outcome);
  return failure == Failure::temporary || (failure == Failure::permanent && retry_on == RetryOn::failure);
}

std::string_view to_string(DeliveryState state) {
  switch (state) {
  case DeliveryState::waiting:
    return "waiting";
  case DeliveryState::dead:
    return "dead";
  case DeliveryState::dropped:
    return "dropped";
  case DeliveryState::queued:
    return "queued";
  }
  return "waiting";
}

DeliveryStore::DeliveryStore(sqlite::Database& db)
    : m_db(db), m_upsert(db.prepare(
                    "INSERT INTO deliveries (event_seq, handler_id, state, tries, due_at, first_failed_at,"
                    " last_failed_at, last_run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)"
                    " ON CONFLICT (event_seq, handler_id) DO UPDATE SET state = ?3, tries = ?4, due_at = ?5,"
                    " first_failed_at = CASE WHEN deliveries.state IN ('waiting', 'queued') THEN "
                    "deliveries.first_failed_at"
                    "  ELSE ?6 END,"
                    " last_failed_at = ?6, last_run_id = ?7")),
      m_settle(db.prepare("DELETE FROM deliveries WHERE event_seq = ?1 AND handler_id = ?2")),
      m_list(db.prepare("SELECT " + std::string(k_columns) + std::string(k_from) +
                        " WHERE d.state = ?1 ORDER BY d.last_failed_at, d.id")),
      m_drop(db.prepare(
          "UPDATE deliveries SET state = 'dropped', due_at = NULL WHERE id = ?1 AND state = 'dead'")),
      m_take(db.prepare("UPDATE deliveries SET state = 'queued' WHERE id = ?1 AND state = 'dead'")) {}

void DeliveryStore::record_failure(std::int64_t event_seq, std::int64_t handler_id, DeliveryState state,
                                   int tries, std::optional<std::int64_t> due_at, std::int64_t failed_at,
                                   std::int64_t run_id) {
  sqlite::ResetOnExit reset(m_upsert);
  m_upsert.bind(1, event_seq)
      .bind(2, handler_id)
      .bind(3, to_string(state))
      .bind(4, tries)
      .bind(5, due_at)
      .bind(6, failed_at)
      .bind(7, run_id);
  m_upsert.run();
}

void DeliveryStore::settle(std::int64_t event_seq, std::int64_t handler_id) {
  sqlite::ResetOnExit reset(m_settle);
  m_settle.bind(1, event_seq).bind(2, handler_id);
  m_settle.run();
}

std::vector<DeliveryRow> DeliveryStore::list(DeliveryState state) {
  std::vector<DeliveryRow> rows;
  sqlite::ResetOnExit reset(m_list);
  m_list.bind(1, to_string(state));
  while (m_list.step()) {
    rows.push_back(read_row(m_list));
  }
  return rows;
}

std::vector<DeliveryRow> DeliveryStore::dead(const DeliveryFilter& filter) {
  std::vector<DeliveryRow> rows;
  for (auto& row : list(DeliveryState::dead)) {
    bool wanted =
        (filter.ids.empty() || std::find(filter.ids.begin(), filter.ids.end(), row.id) != filter.ids.end()) &&
        (!filter.handler_id || row.handler_id == *filter.handler_id) &&
        (!filter.since || row.last_failed_at >= *filter.since);
    if (wanted) {
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

bool DeliveryStore::drop(std::int64_t id) {
  sqlite::ResetOnExit reset(m_drop);
  m_drop.bind(1, id);
  m_drop.run();
  return m_db.changes() > 0;
}

bool DeliveryStore::take(std::int64_t id) {
  sqlite::ResetOnExit reset(m_take);
  m_take.bind(1, id);
  m_take.run();
  return m_db.changes() > 0;
}

std::optional<DeliveryRow> DeliveryStore::of_run(std::int64_t run_id) {
  auto statement =
      m_db.prepare("SELECT " + std::string(k_columns) + std::string(k_from) + " WHERE d.last_run_id = ?1");
  statement.bind(1, run_id);
  if (!statement.step()) {
    return std::nullopt;
  }
  return read_row(statement);
}

DeliveryCounts DeliveryStore::counts() {
  DeliveryCounts counts;
  auto statement = m_db.prepare(
      "SELECT coalesce(sum(state = 'waiting'), 0), min(CASE WHEN state = 'waiting' THEN first_failed_at END),"
      " min(CASE WHEN state = 'waiting' THEN due_at END), coalesce(sum(state = 'dead'), 0),"
      " min(CASE WHEN state = 'dead' THEN last_failed_at END) FROM deliveries");
  if (statement.step()) {
    counts.waiting = statement.column_int(0);
    counts.oldest_waiting = statement.column_optional_int(1);
    counts.next_due = statement.column_optional_int(2);
    counts.dead = statement.column_int(3);
    counts.oldest_dead = statement.column_optional_int(4);
  }
  return counts;
}

} // namespace eventmgr::handlers
