// SPDX-License-Identifier: MIT
#include "manage/runs.hpp"

namespace eventmgr::manage {

bool run_event_known(const events::Catalog& catalog, sqlite::Database& db, const std::string& event) {
  if (catalog.find(event) != nullptr) {
    return true;
  }
  handlers::RunFilter probe;
  probe.event = event;
  probe.limit = 1;
  return !handlers::RunLog(db).list(probe).empty();
}

RunPage run_page(handlers::RunLog& runs, handlers::RunFilter filter) {
  std::size_t wanted = filter.limit;
  // One row more than shown tells whether an older page exists, without a count.
  filter.limit = wanted + 1;
  RunPage page;
  page.rows = runs.list(filter);
  if (page.rows.size() > wanted) {
    page.rows.resize(wanted);
    page.older_before_id = page.rows.back().id;
  }
  return page;
}

std::array<HourCounts, 24> runs_per_hour(sqlite::Database& db, std::int64_t now) {
  constexpr std::int64_t k_hour = 3'600'000;
  std::int64_t first = (now / k_hour - 23) * k_hour;
  std::array<HourCounts, 24> hours{};
  for (std::size_t i = 0; i < hours.size(); ++i) {
    hours[i].hour_start = first + static_cast<std::int64_t>(i) * k_hour;
  }
  // runs_by_start serves the range; the last day's rows are read once.
  auto statement = db.prepare("SELECT (started_at - ?1) / 3600000, coalesce(sum(status = 'ok'), 0),"
                              " coalesce(sum(status IN ('exit', 'signal', 'timeout', 'not_started')), 0)"
                              " FROM runs WHERE started_at >= ?1 GROUP BY 1");
  statement.bind(1, first);
  while (statement.step()) {
    std::int64_t index = statement.column_int(0);
    if (index >= 0 && index < 24) {
      hours[static_cast<std::size_t>(index)].ok = statement.column_int(1);
      hours[static_cast<std::size_t>(index)].failed = statement.column_int(2);
    }
  }
  return hours;
}

std::map<std::int64_t, LastResult> last_results(sqlite::Database& db) {
  std::map<std::int64_t, LastResult> out;
  auto statement =
      db.prepare("SELECT handler_id, id, status, exit_code, signal, coalesce(start_error, '') FROM runs"
                 " WHERE id IN (SELECT max(id) FROM runs GROUP BY handler_id)");
  while (statement.step()) {
    LastResult result;
    result.run_id = statement.column_int(1);
    result.state = handlers::parse_run_state(statement.column_text(2)).value_or(handlers::RunState::running);
    std::optional<int> exit_code;
    std::optional<int> signal;
    if (!statement.column_is_null(3)) {
      exit_code = static_cast<int>(statement.column_int(3));
    }
    if (!statement.column_is_null(4)) {
      signal = static_cast<int>(statement.column_int(4));
    }
    result.text = handlers::describe_result(result.state, exit_code, signal, statement.column_text(5));
    out[statement.column_int(0)] = std::move(result);
  }
  return out;
}

} // namespace eventmgr::manage
