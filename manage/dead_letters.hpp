// SPDX-License-Identifier: MIT
#pragma once

#include "common/sqlite.hpp"
#include "handlers/delivery_store.hpp"

#include <cstdint>
#include <vector>

namespace eventmgr::manage {

// What an operation on dead letters did: the dead letters it acted on, and the ids asked for
// that are not dead letters (unknown, already retried or dropped).
struct DeadLetterChange {
  std::vector<handlers::DeliveryRow> changed;
  std::vector<std::int64_t> unknown;
};

// The dead letters `filter` selects, oldest first.
std::vector<handlers::DeliveryRow> list_dead(sqlite::Database& db, const handlers::DeliveryFilter& filter);

// Queues the dead letters `filter` selects to run again, as new attempts with a new round of
// retries (a replay of the event for that handler each), in one transaction; they are no
// longer dead letters, unless they fail again (keeping their ids). Storage failures throw
// sqlite::Failure.
DeadLetterChange retry_dead(sqlite::Database& db, const handlers::DeliveryFilter& filter);

// Marks the dead letters `filter` selects handled without running them, in one transaction.
DeadLetterChange drop_dead(sqlite::Database& db, const handlers::DeliveryFilter& filter);

} // namespace eventmgr::manage
