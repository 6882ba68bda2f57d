// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"
#include "common/sqlite.hpp"
#include "handlers/handler.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::handlers {

// The registered handlers, stored in the `handlers` table. It stores what it is given: checking
// a handler against the catalog (CommandTemplate::parse) is the caller's job. Storage failures
// throw sqlite::Failure.
class HandlerStore {
public:
  explicit HandlerStore(sqlite::Database& db);

  // Stores `handler` under a new id (its `id` is ignored), created and updated now.
  std::int64_t add(const Handler& handler);
  // Stores every handler of `handlers` under new ids in one transaction (import without
  // --replace); returns the ids in order.
  std::vector<std::int64_t> add_all(const std::vector<Handler>& handlers);
  // Replaces handler `handler.id` (keeping its created time; updated now); false when absent.
  bool update(const Handler& handler);
  // False when there is no handler `id`.
  bool remove(std::int64_t id);
  bool set_enabled(std::int64_t id, bool enabled);

  std::optional<Handler> get(std::int64_t id);
  // Every handler, or those of `event`, ordered by event, then execution order.
  std::vector<Handler> list(const std::optional<std::string>& event = std::nullopt);
  // The enabled handlers of `event` in execution order: priority descending, then id ascending.
  std::vector<Handler> for_event(std::string_view event);

  // Deletes every handler and stores `handlers` in one transaction (import --replace). A
  // handler with a non-zero `id` keeps it, and its created/updated times when non-zero, so an
  // export imported back gives the same set; a zero id gets a new one. Ids are never reused
  // for a different handler: new ids continue after the highest ever given. Error when an id
  // appears twice: "cannot replace handlers: id N appears twice". Returns the ids in order.
  Result<std::vector<std::int64_t>> replace_all(const std::vector<Handler>& handlers);

private:
  std::int64_t insert(const Handler& handler, bool keep_identity, std::int64_t now);
  std::vector<Handler> read_all(sqlite::Statement& statement);

  sqlite::Database& m_db;
  sqlite::Statement m_insert;
  sqlite::Statement m_update;
  sqlite::Statement m_remove;
  sqlite::Statement m_set_enabled;
  sqlite::Statement m_get;
  sqlite::Statement m_list_all;
  sqlite::Statement m_list_event;
  sqlite::Statement m_for_event;
};

} // namespace eventmgr::handlers
