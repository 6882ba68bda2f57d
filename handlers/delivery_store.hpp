// SPDX-License-Identifier: MIT
#pragma once

#include "common/retry_policy.hpp"
#include "common/sqlite.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::handlers {

struct RunOutcome; // handlers/launcher.hpp

// How a run ended, in the exit-code contract (docs/RELIABILITY.md): exit 0 is ok; exit 75
// (EX_TEMPFAIL), a time-out, a signal or a run that could not start is a temporary failure;
// any other exit code a failure.
enum class Failure { none, temporary, permanent };
Failure classify(const RunOutcome& outcome);
// Whether a run that ended with `outcome` is retried under `retry_on` (when tries are left).
bool is_retried(const RunOutcome& outcome, RetryOn retry_on);

// A delivery's state: `waiting` for a retry, `dead` with its retries spent, `dropped` when an
// administrator marked it handled without running, `queued` when one queued it to run again
// (it keeps its id: failing again makes it dead again).
enum class DeliveryState { waiting, dead, dropped, queued };
std::string_view to_string(DeliveryState state);

// One failed delivery of an event to a handler that is not settled.
struct DeliveryRow {
  std::int64_t id = 0; // the dead letter's id
  std::int64_t event_seq = 0;
  std::string event; // the event's name
  std::int64_t handler_id = 0;
  DeliveryState state = DeliveryState::waiting;
  int tries = 0; // failed runs of this delivery
  std::optional<std::int64_t> due_at;
  std::int64_t first_failed_at = 0;
  std::int64_t last_failed_at = 0;
  std::int64_t last_run_id = 0;
  int last_attempt = 0;
  std::string last_result; // describe_result() of the last run
};

// Which deliveries an operation selects (`eventmgr dead retry|drop`); every set field narrows.
struct DeliveryFilter {
  std::vector<std::int64_t> ids; // empty: any
  std::optional<std::int64_t> handler_id;
  std::optional<std::int64_t> since; // last failed at or after, unix ms
};

// Counts for `eventmgr status` and `eventmgr check`.
struct DeliveryCounts {
  std::int64_t waiting = 0;
  std::optional<std::int64_t> oldest_waiting; // first failure of the oldest waiting one
  std::optional<std::int64_t> next_due;
  std::int64_t dead = 0;
  std::optional<std::int64_t> oldest_dead; // when the oldest dead letter died
};

// The `deliveries` table. Rows are written with the failed run's row, in its transaction.
// Storage failures throw sqlite::Failure.
class DeliveryStore {
public:
  explicit DeliveryStore(sqlite::Database& db);

  // The delivery of event `event_seq` to handler `handler_id` failed for the `tries`-th time
  // at `failed_at` in run `run_id`: `waiting` until `due_at`, or `dead` (no due time).
  void record_failure(std::int64_t event_seq, std::int64_t handler_id, DeliveryState state, int tries,
                      std::optional<std::int64_t> due_at, std::int64_t failed_at, std::int64_t run_id);
  // The delivery succeeded (or an administrator took it over): its row goes.
  void settle(std::int64_t event_seq, std::int64_t handler_id);

  // Every delivery in `state`, oldest first, with its last run's result.
  std::vector<DeliveryRow> list(DeliveryState state);
  // The dead letters `filter` selects.
  std::vector<DeliveryRow> dead(const DeliveryFilter& filter);
  // Marks dead letter `id` dropped; false when it is not a dead letter.
  bool drop(std::int64_t id);
  // Marks dead letter `id` queued to run again; false when it is not a dead letter.
  bool take(std::int64_t id);
  DeliveryCounts counts();
  // The delivery whose last failed run is `run_id`, if that run left one (`eventmgr log show`).
  std::optional<DeliveryRow> of_run(std::int64_t run_id);

private:
  sqlite::Database& m_db;
  sqlite::Statement m_upsert;
  sqlite::Statement m_settle;
  sqlite::Statement m_list;
  sqlite::Statement m_drop;
  sqlite::Statement m_take;
};

} // namespace eventmgr::handlers
