// SPDX-License-Identifier: MIT
#pragma once

#include "common/sqlite.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eventmgr::handlers {

struct RunOutcome; // handlers/launcher.hpp

// A run's status column: `running` until finished; `interrupted` when the daemon stopped
// before it finished (it is then run again as a new attempt).
enum class RunState { running, ok, exit, signal, timeout, not_started, interrupted };

std::string_view to_string(RunState state);
std::optional<RunState> parse_run_state(std::string_view text);
// exit, signal, timeout and not_started; `interrupted` is not a handler's failure.
bool is_failure(RunState state);

// "SIGKILL" for 9 (from sigabbrev_np); "SIG99" for a number without a name.
std::string signal_name(int signal);

// A run's result in one line, as `eventmgr log` and the daemon's log show it: `ok`, `exit N`,
// `signal SIGKILL`, `timeout`, `not started: REASON`, `running`, `interrupted`.
std::string describe_result(RunState state, std::optional<int> exit_code, std::optional<int> signal,
                            std::string_view start_error);

// How a run ended, as finish_run() records it.
struct RunEnd {
  RunState state = RunState::ok;
  std::optional<int> exit_code; // ok and exit
  std::optional<int> signal;    // signal, and the signal that ended a timed-out run
  bool timed_out = false;
  std::string start_error;      // not_started
  std::string out;
  bool out_truncated = false;
  std::string err;
  bool err_truncated = false;
  std::int64_t finished_at = 0; // unix ms
};

// RunEnd of the launcher's outcome.
RunEnd to_run_end(const RunOutcome& outcome);

// What is known of a run when it starts.
struct RunStart {
  std::int64_t event_seq = 0;
  std::int64_t handler_id = 0;
  int attempt = 1;
  std::string user;
  std::string argv_json; // secrets redacted
  std::int64_t started_at = 0; // unix ms
};

// One row of the run log, with its event's name.
struct RunRow {
  std::int64_t id = 0;
  std::int64_t event_seq = 0;
  std::string event;
  std::int64_t handler_id = 0;
  int attempt = 1;
  std::string user;
  std::vector<std::string> argv; // secrets redacted
  std::int64_t started_at = 0;
  std::optional<std::int64_t> finished_at;
  RunState state = RunState::running;
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool timed_out = false;
  std::string start_error;
  std::string out; // empty in list() rows; get() fills it
  bool out_truncated = false;
  std::string err; // empty in list() rows; get() fills it
  bool err_truncated = false;
};

// describe_result() of a stored run.
std::string describe_result(const RunRow& row);
// describe_result() of the launcher's outcome (for the daemon's line per finished run).
std::string describe_result(const RunOutcome& outcome);

// Filters of `eventmgr log`; every set field narrows the list.
struct RunFilter {
  std::optional<std::string> event;
  std::optional<std::int64_t> handler_id;
  std::optional<std::int64_t> event_seq;
  std::optional<std::string> source;   // the event's source (a host, for events taken from NATS)
  bool failed_only = false;            // is_failure(state), and not fixed by a later ok attempt
  bool include_fixed = false;          // with failed_only: also failures a later attempt fixed
  std::optional<std::int64_t> since;   // started at or after, unix ms
  std::optional<std::int64_t> after_id; // run id > after_id (for --follow)
  std::optional<std::int64_t> before_id; // run id < before_id (keyset pages, newest first)
  std::size_t limit = 50;
};

struct RunCounts {
  std::int64_t ok = 0;
  std::int64_t failed = 0;
};

// A handler run waiting to be re-run after a crash.
struct InterruptedRun {
  std::int64_t event_seq = 0;
  std::int64_t handler_id = 0;
  auto operator<=>(const InterruptedRun&) const = default;
};

// The `runs` table: one row per handler execution attempt (docs/RELIABILITY.md). Storage failures throw
// sqlite::Failure.
class RunLog {
public:
  explicit RunLog(sqlite::Database& db);

  // Records that handler `handler_id` started for event `event_seq` as `user` at
  // `started_at` (unix ms; now when absent), with `argv_json` (its argv, secrets redacted, as a
  // JSON array of strings); returns the run id. The run is `running` until finish_run().
  std::int64_t start_run(std::int64_t event_seq, std::int64_t handler_id, int attempt,
                         std::string_view user, std::string_view argv_json,
                         std::optional<std::int64_t> started_at = std::nullopt);
  void finish_run(std::int64_t run_id, const RunEnd& end);
  // As above, from the launcher's outcome (finished now when `outcome.finished_ms` is 0).
  void finish_run(std::int64_t run_id, const RunOutcome& outcome);

  // A finished run in one row (its start was not written); returns the run id.
  std::int64_t record_run(const RunStart& start, const RunEnd& end);
  // Crash recovery of a run the run ledger held: writes it `interrupted` unless a row of that
  // attempt exists or its event is gone; true when written.
  bool record_interrupted(const RunStart& start, std::int64_t finished_at);

  // Crash recovery: marks every `running` run `interrupted` (finished now) and returns their
  // (event, handler) pairs, sorted and distinct, to be run again.
  std::vector<InterruptedRun> mark_interrupted_running();
  // 1 + the highest attempt of handler `handler_id` for event `event_seq` (1 when none).
  int next_attempt(std::int64_t event_seq, std::int64_t handler_id);
  // Handlers whose latest attempt for event `event_seq` finished (neither running nor
  // interrupted), whatever the result: a resumed event skips them.
  std::set<std::int64_t> completed_handlers(std::int64_t event_seq);

  // Runs matching `filter`, newest (highest id) first, without their output.
  std::vector<RunRow> list(const RunFilter& filter);
  // One run with its output; nullopt when absent or pruned.
  std::optional<RunRow> get(std::int64_t run_id);
  // Runs started at or after `since` (unix ms) that ended ok, and that failed (is_failure).
  RunCounts ok_failed_since(std::int64_t since);

private:
  void bind_end(sqlite::Statement& statement, const RunEnd& end);

  sqlite::Database& m_db;
  sqlite::Statement m_start;
  sqlite::Statement m_finish;
  sqlite::Statement m_record;
  sqlite::Statement m_record_interrupted;
  sqlite::Statement m_interrupt;
  sqlite::Statement m_next_attempt;
  sqlite::Statement m_completed;
  sqlite::Statement m_list;
  sqlite::Statement m_get;
  sqlite::Statement m_counts;
};

} // namespace eventmgr::handlers
