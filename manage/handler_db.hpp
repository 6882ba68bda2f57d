// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"
#include "common/sqlite.hpp"
#include "handlers/handler_store.hpp"

#include <memory>

namespace eventmgr::manage {

// The database and the handler store on it (the store keeps a reference to the database).
class HandlerDb {
public:
  explicit HandlerDb(sqlite::Database db) : m_db(std::move(db)), m_store(m_db) {}
  HandlerDb(const HandlerDb&) = delete;
  HandlerDb& operator=(const HandlerDb&) = delete;
  sqlite::Database& database() { return m_db; }
  handlers::HandlerStore& store() { return m_store; }

private:
  sqlite::Database m_db;
  handlers::HandlerStore m_store;
};

enum class Access { read, write };

// Opens the handler store of `config`. For reading, a missing database is an empty set (nullptr),
// so that read-only front ends never create files; for writing, the state dir (0750) and the
// database (0600: the journal holds secrets) are created. The error names the path and cause.
Result<std::unique_ptr<HandlerDb>> open_handlers(const Config& config, Access access);

} // namespace eventmgr::manage
