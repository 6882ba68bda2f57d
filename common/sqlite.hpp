// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace eventmgr::sqlite {

// A prepared statement. Bind parameters are 1-based; `step()` returns true while rows come.
// Errors throw sqlite::Failure (a std::runtime_error): storage failures are not expected per
// operation and are caught at the operation's boundary (one record, one CLI command).
class Statement {
public:
  Statement() = default;
  Statement(sqlite3* db, std::string_view sql);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  Statement& bind(int index, const std::optional<std::int64_t>& value);

  // Advances to the next row; false when done. Throws on error.
  bool step();
  // Runs a statement that returns no rows (or ignores them) and resets it.
  void run();
  // Resets the statement and clears bindings, ready for reuse.
  void reset();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;
  std::optional<std::int64_t> column_optional_int(int index) const;

private:
  sqlite3* m_db = nullptr;
  sqlite3_stmt* m_stmt = nullptr;
};

// Resets a statement when a read loop ends, however it ends, so no read stays open.
class ResetOnExit {
public:
  explicit ResetOnExit(Statement& statement) : m_statement(statement) {}
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;
  ~ResetOnExit() { m_statement.reset(); }

private:
  Statement& m_statement;
};

class Failure : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
  int code = 0;
};

enum class Mode { read_write_create, read_write, read_only };

// One connection, closed on destruction. WAL and a busy timeout are set at open.
class Database {
public:
  // Opens `path`; a new file gets mode `file_mode`. Returns an error naming the file.
  static Result<Database> open(const std::string& path, Mode mode = Mode::read_write_create,
                               unsigned file_mode = 0600);
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more statements with no results. Throws Failure.
  void exec(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(m_db, sql); }
  std::int64_t last_insert_id() const;
  int changes() const;
  // `PRAGMA user_version`.
  int user_version();
  // `PRAGMA data_version`: changes when another connection commits.
  std::int64_t data_version();
  sqlite3* handle() const { return m_db; }
  const std::string& path() const { return m_path; }

private:
  Database(sqlite3* db, std::string path) : m_db(db), m_path(std::move(path)) {}
  sqlite3* m_db = nullptr;
  std::string m_path;
  std::optional<Statement> m_data_version;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() ran.
class Transaction {
public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

private:
  Database& m_db;
  bool m_done = false;
};

} // namespace eventmgr::sqlite
