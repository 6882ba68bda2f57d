// SPDX-License-Identifier: MIT
#include "common/sqlite.hpp"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace eventmgr::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  Failure failure(message);
  failure.code = rc;
  throw failure;
}

} // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : m_db(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                              &m_stmt, nullptr);
  if (rc != SQLITE_OK) {
    fail(db, rc, "cannot prepare statement '" + std::string(sql.substr(0, 60)) + "'");
  }
}

Statement::Statement(Statement&& other) noexcept
  : m_db(std::exchange(other.m_db, nullptr)), m_stmt(std::exchange(other.m_stmt, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(m_stmt);
    m_db = std::exchange(other.m_db, nullptr);
    m_stmt = std::exchange(other.m_stmt, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(m_stmt); }

Statement& Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(m_stmt, index, value);
  if (rc != SQLITE_OK) {
    fail(m_db, rc, "cannot bind parameter");
  }
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(m_stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) {
    fail(m_db, rc, "cannot bind parameter");
  }
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  int rc = sqlite3_bind_blob64(m_stmt, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) {
    fail(m_db, rc, "cannot bind parameter");
  }
  return *this;
}

Statement& Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(m_stmt, index);
  if (rc != SQLITE_OK) {
    fail(m_db, rc, "cannot bind parameter");
  }
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

bool Statement::step() {
  int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  std::string sql = sqlite3_sql(m_stmt) != nullptr ? sqlite3_sql(m_stmt) : "";
  sqlite3_reset(m_stmt);
  fail(m_db, rc, "statement '" + sql.substr(0, 60) + "' failed");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(m_stmt, index); }

std::string Statement::column_text(int index) const {
  const void* data = sqlite3_column_blob(m_stmt, index);
  int size = sqlite3_column_bytes(m_stmt, index);
  return data != nullptr ? std::string(static_cast<const char*>(data), static_cast<size_t>(size)) : std::string();
}

bool Statement::column_is_null(int index) const { return sqlite3_column_type(m_stmt, index) == SQLITE_NULL; }

std::optional<std::int64_t> Statement::column_optional_int(int index) const {
  if (column_is_null(index)) {
    return std::nullopt;
  }
  return column_int(index);
}

Result<Database> Database::open(const std::string& path, Mode mode, unsigned file_mode) {
  // No allocation statistics: they take a global mutex on every SQLite malloc and free (about
  // 4% of the intake's instructions under callgrind), and nothing here reads them. Settable
  // only before SQLite initialises, so once, before the first connection.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
  if (mode == Mode::read_write_create) {
    // Create a missing file ourselves so it never exists with a wider mode than asked. Only a
    // new file: closing a descriptor of a file this process already has open through SQLite
    // would drop SQLite's POSIX locks on it, and another process could then delete the WAL
    // under a live connection.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, file_mode);
    if (fd >= 0) {
      ::close(fd);
    } else if (errno != EEXIST) {
      return make_error("cannot open database " + path + ": " + std::strerror(errno));
    }
  }
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= mode == Mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open database " + path + ": " +
                          (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return make_error(message);
  }
  Database database(db, path);
  try {
    sqlite3_busy_timeout(db, 10000);
    database.exec("PRAGMA foreign_keys=ON");
    if (mode != Mode::read_only) {
      database.exec("PRAGMA journal_mode=WAL");
    }
    database.exec("PRAGMA synchronous=FULL");
  } catch (const Failure& failure) {
    return make_error("cannot open database " + path + ": " + failure.what());
  }
  return database;
}

Database::Database(Database&& other) noexcept
  : m_db(std::exchange(other.m_db, nullptr)), m_path(std::move(other.m_path)),
    m_data_version(std::move(other.m_data_version)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    m_data_version.reset();
    sqlite3_close_v2(m_db);
    m_db = std::exchange(other.m_db, nullptr);
    m_path = std::move(other.m_path);
    m_data_version = std::move(other.m_data_version);
  }
  return *this;
}

Database::~Database() {
  m_data_version.reset();
  sqlite3_close_v2(m_db);
}

void Database::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string what = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    Failure failure("cannot run '" + text.substr(0, 60) + "': " + what);
    failure.code = rc;
    throw failure;
  }
}

std::int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(m_db); }

int Database::changes() const { return sqlite3_changes(m_db); }

int Database::user_version() {
  Statement statement(m_db, "PRAGMA user_version");
  statement.step();
  return static_cast<int>(statement.column_int(0));
}

std::int64_t Database::data_version() {
  if (!m_data_version) {
    m_data_version.emplace(m_db, "PRAGMA data_version");
  }
  m_data_version->step();
  std::int64_t version = m_data_version->column_int(0);
  m_data_version->reset();
  return version;
}

Transaction::Transaction(Database& db) : m_db(db) { m_db.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!m_done) {
    try {
      m_db.exec("ROLLBACK");
    } catch (const Failure&) {
      // Nothing more to do: the connection reports the rollback failure on its next use.
    }
  }
}

void Transaction::commit() {
  m_db.exec("COMMIT");
  m_done = true;
}

} // namespace eventmgr::sqlite
