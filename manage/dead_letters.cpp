// SPDX-License-Identifier: MIT
#include "manage/dead_letters.hpp"

#include "events/replay_queue.hpp"

#include <algorithm>

namespace eventmgr::manage {
namespace {

enum class Action { retry, drop };

DeadLetterChange change_dead(sqlite::Database& db, const handlers::DeliveryFilter& filter, Action action) {
  DeadLetterChange out;
  handlers::DeliveryStore store(db);
  events::ReplayQueue replays(db);
  sqlite::Transaction transaction(db);
  for (auto& row : store.dead(filter)) {
    // Read and changed in one write transaction: a letter two front ends retry at once runs once.
    if (action == Action::retry && store.take(row.id)) {
      replays.request(row.event_seq, row.handler_id);
      out.changed.push_back(std::move(row));
    } else if (action == Action::drop && store.drop(row.id)) {
      out.changed.push_back(std::move(row));
    }
  }
  transaction.commit();
  for (std::int64_t id : filter.ids) {
    bool found = std::any_of(out.changed.begin(), out.changed.end(),
                             [id](const handlers::DeliveryRow& row) { return row.id == id; });
    if (!found) {
      out.unknown.push_back(id);
    }
  }
  return out;
}

} // namespace

std::vector<handlers::DeliveryRow> list_dead(sqlite::Database& db, const handlers::DeliveryFilter& filter) {
  return handlers::DeliveryStore(db).dead(filter);
}

DeadLetterChange retry_dead(sqlite::Database& db, const handlers::DeliveryFilter& filter) {
  return change_dead(db, filter, Action::retry);
}

DeadLetterChange drop_dead(sqlite::Database& db, const handlers::DeliveryFilter& filter) {
  return change_dead(db, filter, Action::drop);
}

} // namespace eventmgr::manage
