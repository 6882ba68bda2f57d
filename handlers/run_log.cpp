// SPDX-License-Identifier: MIT
#include "handlers/run_log.hpp"

#include "common/string_list.hpp"

#include "common/clock.hpp"
#include "handlers/launcher.hpp"


#include <algorithm>
#include <cstring>
#include <limits>

namespace eventmgr::handlers {
namespace {

// Must agree with is_failure().
constexpr std::string_view k_failed_states = "('exit', 'signal', 'timeout', 'not_started')";

std::optional<int> optional_int(const sqlite::Statement& statement, int column) {
  auto value = statement.column_optional_int(column);
  if (!value) {
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

// Columns 0-15 of every row query; get() adds the output as 16 and 17.
constexpr std::string_view k_row_columns =
  "r.id, r.event_seq, e.event, r.handler_id, r.attempt, r.user, r.argv, r.started_at,"
  " r.finished_at, r.status, r.exit_code, r.signal, r.timed_out, r.start_error,"
  " r.stdout_truncated, r.stderr_truncated";

RunRow read_row(const sqlite::Statement& statement, bool with_output) {
  RunRow row;
  row.id = statement.column_int(0);
  row.event_seq = statement.column_int(1);
  row.event = statement.column_text(2);
  row.handler_id = statement.column_int(3);
  row.attempt = static_cast<int>(statement.column_int(4));
  row.user = statement.column_text(5);
  row.argv = from_json_array(statement.column_text(6));
  row.started_at = statement.column_int(7);
  row.finished_at = statement.column_optional_int(8);
  row.state = parse_run_state(statement.column_text(9)).value_or(RunState::interrupted);
  row.exit_code = optional_int(statement, 10);
  row.signal = optional_int(statement, 11);
  row.timed_out = statement.column_int(12) != 0;
  row.start_error = statement.column_text(13);
  row.out_truncated = statement.column_int(14) != 0;
  row.err_truncated = statement.column_int(15) != 0;
  if (with_output) {
    row.out = statement.column_text(16);
    row.err = statement.column_text(17);
  }
  return row;
}

std::int64_t to_int64(std::size_t value) {
  constexpr auto max = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(value < max ? value : max);
}

} // namespace

std::string_view to_string(RunState state) {
  switch (state) {
  case RunState::running:
    return "running";
  case RunState::ok:
    return "ok";
  case RunState::exit:
    return "exit";
  case RunState::signal:
    return "signal";
  case RunState::timeout:
    return "timeout";
  case RunState::not_started:
    return "not_started";
  case RunState::interrupted:
    return "interrupted";
  }
  return "interrupted";
}

std::optional<RunState> parse_run_state(std::string_view text) {
  for (RunState state : {RunState::running, RunState::ok, RunState::exit, RunState::signal,
                         RunState::timeout, RunState::not_started, RunState::interrupted}) {
    if (text == to_string(state)) {
      return state;
    }
  }
  return std::nullopt;
}

bool is_failure(RunState state) {
  return state == RunState::exit || state == RunState::signal || state == RunState::timeout ||
         state == RunState::not_started;
}

std::string signal_name(int signal) {
  const char* abbrev = ::sigabbrev_np(signal);
  if (abbrev == nullptr) {
    return "SIG" + std::to_string(signal);
  }
  return std::string("SIG") + abbrev;
}

std::string describe_result(RunState state, std::optional<int> exit_code, std::optional<int> signal,
                            std::string_view start_error) {
  switch (state) {
  case RunState::ok:
    return "ok";
  case RunState::exit:
    return "exit " + (exit_code ? std::to_string(*exit_code) : std::string("?"));
  case RunState::signal:
    return "signal " + (signal ? signal_name(*signal) : std::string("?"));
  case RunState::timeout:
    return "timeout";
  case RunState::not_started:
    return "not started: " + std::string(start_error);
  case RunState::running:
    return "running";
  case RunState::interrupted:
    return "interrupted";
  }
  return "interrupted";
}

std::string describe_result(const RunRow& row) {
  return describe_result(row.state, row.exit_code, row.signal, row.start_error);
}

std::string describe_result(const RunOutcome& outcome) {
  switch (outcome.status) {
  case RunStatus::ok:
    return describe_result(RunState::ok, outcome.exit_code, std::nullopt, "");
  case RunStatus::exit:
    return describe_result(RunState::exit, outcome.exit_code, std::nullopt, "");
  case RunStatus::signal:
    return describe_result(RunState::signal, std::nullopt, outcome.signal, "");
  case RunStatus::timeout:
    return describe_result(RunState::timeout, std::nullopt, outcome.signal, "");
  case RunStatus::not_started:
    return describe_result(RunState::not_started, std::nullopt, std::nullopt, outcome.start_error);
  }
  return "interrupted";
}

RunLog::RunLog(sqlite::Database& db)
  : m_db(db),
    m_start(db.prepare("INSERT INTO runs (event_seq, handler_id, attempt, user, argv, started_at,"
                       " status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running')")),
    m_finish(db.prepare("UPDATE runs SET status = ?7, exit_code = ?8, signal = ?9, timed_out = ?10,"
                        " start_error = ?11, stdout = ?12, stdout_truncated = ?13, stderr = ?14,"
                        " stderr_truncated = ?15, finished_at = ?16 WHERE id = ?1")),
    m_record(db.prepare("INSERT INTO runs (event_seq, handler_id, attempt, user, argv, started_at, status,"
                        " exit_code, signal, timed_out, start_error, stdout, stdout_truncated, stderr,"
                        " stderr_truncated, finished_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)")),
    // A run the ledger holds that has no row: unless its event was pruned meanwhile.
    m_record_interrupted(db.prepare(
      "INSERT INTO runs (event_seq, handler_id, attempt, user, argv, started_at, status, finished_at)"
      " SELECT ?1, ?2, ?3, ?4, ?5, ?6, 'interrupted', ?7"
      " WHERE EXISTS (SELECT 1 FROM events WHERE seq = ?1)"
      " AND NOT EXISTS (SELECT 1 FROM runs WHERE event_seq = ?1 AND handler_id = ?2 AND attempt = ?3)")),
    m_interrupt(db.prepare("UPDATE runs SET status = 'interrupted', finished_at = ?1"
                           " WHERE status = 'running' RETURNING event_seq, handler_id")),
    m_next_attempt(db.prepare("SELECT coalesce(max(attempt), 0) + 1 FROM runs"
                              " WHERE event_seq = ?1 AND handler_id = ?2")),
    m_completed(db.prepare(
      "SELECT r.handler_id FROM runs r WHERE r.event_seq = ?1"
      " AND r.status NOT IN ('running', 'interrupted')"
      " AND r.attempt = (SELECT max(l.attempt) FROM runs l"
      "                  WHERE l.event_seq = r.event_seq AND l.handler_id = r.handler_id)")),
    m_list(db.prepare("SELECT " + std::string(k_row_columns) +
                      " FROM runs r JOIN events e ON e.seq = r.event_seq"
                      " WHERE (?1 IS NULL OR e.event = ?1)"
                      " AND (?2 IS NULL OR r.handler_id = ?2)"
                      " AND (?3 IS NULL OR r.event_seq = ?3)"
                      " AND (?4 = 0 OR (r.status IN " + std::string(k_failed_states) +
                      "  AND (?8 = 1 OR NOT EXISTS (SELECT 1 FROM runs l WHERE l.event_seq = r.event_seq"
                      "   AND l.handler_id = r.handler_id AND l.id > r.id AND l.status = 'ok'))))"
                      " AND (?5 IS NULL OR r.started_at >= ?5)"
                      " AND (?6 IS NULL OR r.id > ?6)"
                      " AND (?9 IS NULL OR e.source = ?9)"
                      // coalesce, not "?10 IS NULL OR": a bound the planner can start the rowid scan at.
                      " AND r.id < coalesce(?10, 9223372036854775807)"
                      " ORDER BY r.id DESC LIMIT ?7")),
    m_get(db.prepare("SELECT " + std::string(k_row_columns) +
                     ", r.stdout, r.stderr FROM runs r JOIN events e ON e.seq = r.event_seq"
                     " WHERE r.id = ?1")),
    m_counts(db.prepare("SELECT coalesce(sum(status = 'ok'), 0),"
                        " coalesce(sum(status IN " + std::string(k_failed_states) + "), 0)"
                        " FROM runs WHERE started_at >= ?1")) {}

std::int64_t RunLog::start_run(std::int64_t event_seq, std::int64_t handler_id, int attempt,
                               std::string_view user, std::string_view argv_json,
                               std::optional<std::int64_t> started_at) {
  m_start.bind(1, event_seq)
    .bind(2, handler_id)
    .bind(3, attempt)
    .bind(4, user)
    .bind(5, argv_json)
    .bind(6, started_at.value_or(now_ms()));
  m_start.run();
  return m_db.last_insert_id();
}

// Binds the columns of a run's end at 7..16 of m_finish and m_record.
void RunLog::bind_end(sqlite::Statement& statement, const RunEnd& end) {
  auto to_optional64 = [](std::optional<int> value) -> std::optional<std::int64_t> {
    if (!value) {
      return std::nullopt;
    }
    return *value;
  };
  statement.bind(7, to_string(end.state))
    .bind(8, to_optional64(end.exit_code))
    .bind(9, to_optional64(end.signal))
    .bind(10, end.timed_out ? 1 : 0);
  if (end.start_error.empty()) {
    statement.bind_null(11);
  } else {
    statement.bind(11, end.start_error);
  }
  statement.bind_blob(12, end.out)
    .bind(13, end.out_truncated ? 1 : 0)
    .bind_blob(14, end.err)
    .bind(15, end.err_truncated ? 1 : 0)
    .bind(16, end.finished_at != 0 ? end.finished_at : now_ms());
}

void RunLog::finish_run(std::int64_t run_id, const RunEnd& end) {
  m_finish.bind(1, run_id);
  bind_end(m_finish, end);
  m_finish.run();
}

RunEnd to_run_end(const RunOutcome& outcome) {
  RunEnd end;
  end.timed_out = outcome.timed_out;
  switch (outcome.status) {
  case RunStatus::ok:
    end.state = RunState::ok;
    end.exit_code = outcome.exit_code;
    break;
  case RunStatus::exit:
    end.state = RunState::exit;
    end.exit_code = outcome.exit_code;
    break;
  case RunStatus::signal:
    end.state = RunState::signal;
    end.signal = outcome.signal;
    break;
  case RunStatus::timeout:
    end.state = RunState::timeout;
    end.timed_out = true;
    if (outcome.signal != 0) {
      end.signal = outcome.signal;
    }
    break;
  case RunStatus::not_started:
    end.state = RunState::not_started;
    end.start_error = outcome.start_error;
    break;
  }
  end.out = outcome.out;
  end.out_truncated = outcome.out_truncated;
  end.err = outcome.err;
  end.err_truncated = outcome.err_truncated;
  end.finished_at = outcome.finished_ms;
  return end;
}

void RunLog::finish_run(std::int64_t run_id, const RunOutcome& outcome) { finish_run(run_id, to_run_end(outcome)); }

std::int64_t RunLog::record_run(const RunStart& start, const RunEnd& end) {
  m_record.bind(1, start.event_seq).bind(2, start.handler_id).bind(3, start.attempt).bind(4, start.user)
    .bind(5, start.argv_json).bind(6, start.started_at);
  bind_end(m_record, end);
  m_record.run();
  return m_db.last_insert_id();
}

bool RunLog::record_interrupted(const RunStart& start, std::int64_t finished_at) {
  m_record_interrupted.bind(1, start.event_seq).bind(2, start.handler_id).bind(3, start.attempt)
    .bind(4, start.user).bind(5, start.argv_json).bind(6, start.started_at).bind(7, finished_at);
  m_record_interrupted.run();
  return m_db.changes() > 0;
}

std::vector<InterruptedRun> RunLog::mark_interrupted_running() {
  std::vector<InterruptedRun> runs;
  {
    sqlite::ResetOnExit reset(m_interrupt);
    m_interrupt.bind(1, now_ms());
    while (m_interrupt.step()) {
      runs.push_back({m_interrupt.column_int(0), m_interrupt.column_int(1)});
    }
  }
  std::sort(runs.begin(), runs.end());
  runs.erase(std::unique(runs.begin(), runs.end()), runs.end());
  return runs;
}

int RunLog::next_attempt(std::int64_t event_seq, std::int64_t handler_id) {
  sqlite::ResetOnExit reset(m_next_attempt);
  m_next_attempt.bind(1, event_seq).bind(2, handler_id);
  m_next_attempt.step();
  return static_cast<int>(m_next_attempt.column_int(0));
}

std::set<std::int64_t> RunLog::completed_handlers(std::int64_t event_seq) {
  std::set<std::int64_t> handlers;
  sqlite::ResetOnExit reset(m_completed);
  m_completed.bind(1, event_seq);
  while (m_completed.step()) {
    handlers.insert(m_completed.column_int(0));
  }
  return handlers;
}

std::vector<RunRow> RunLog::list(const RunFilter& filter) {
  std::vector<RunRow> rows;
  sqlite::ResetOnExit reset(m_list);
  if (filter.event) {
    m_list.bind(1, *filter.event);
  } else {
    m_list.bind_null(1);
  }
  m_list.bind(2, filter.handler_id)
    .bind(3, filter.event_seq)
    .bind(4, filter.failed_only ? 1 : 0)
    .bind(5, filter.since)
    .bind(6, filter.after_id)
    .bind(7, to_int64(filter.limit))
    .bind(8, filter.include_fixed ? 1 : 0)
    .bind(10, filter.before_id);
  if (filter.source) {
    m_list.bind(9, *filter.source);
  } else {
    m_list.bind_null(9);
  }
  while (m_list.step()) {
    rows.push_back(read_row(m_list, false));
  }
  return rows;
}

std::optional<RunRow> RunLog::get(std::int64_t run_id) {
  sqlite::ResetOnExit reset(m_get);
  m_get.bind(1, run_id);
  if (!m_get.step()) {
    return std::nullopt;
  }
  return read_row(m_get, true);
}

RunCounts RunLog::ok_failed_since(std::int64_t since) {
  sqlite::ResetOnExit reset(m_counts);
  m_counts.bind(1, since);
  RunCounts counts;
  if (m_counts.step()) {
    counts.ok = m_counts.column_int(0);
    counts.failed = m_counts.column_int(1);
  }
  return counts;
}

} // namespace eventmgr::handlers
