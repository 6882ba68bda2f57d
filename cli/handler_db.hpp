// SPDX-License-Identifier: MIT
#pragma once

#include "cli/app.hpp"
#include "common/sqlite.hpp"
#include "handlers/handler.hpp"
#include "handlers/handler_store.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace eventmgr::cli {

// The database and the handler store on it (the store keeps a reference to the database).
class HandlerDb {
public:
  explicit HandlerDb(sqlite::Database db) : m_db(std::move(db)), m_store(m_db) {}
  HandlerDb(const HandlerDb&) = delete;
  HandlerDb& operator=(const HandlerDb&) = delete;
  handlers::HandlerStore& store() { return m_store; }

private:
  sqlite::Database m_db;
  handlers::HandlerStore m_store;
};

enum class Access { read, write };

// Opens the handler store. For reading, a missing database is an empty set (nullptr), so that
// read commands never create files; for writing, the state dir and the database are created.
std::unique_ptr<HandlerDb> open_handlers(Context& context, Access access);

// "no handler with id N (eventmgr handler list shows them)".
std::string no_handler_message(std::int64_t id);

// Handler `id`, or CommandError (exit 2) naming it.
handlers::Handler get_handler(HandlerDb* db, std::int64_t id);

} // namespace eventmgr::cli
