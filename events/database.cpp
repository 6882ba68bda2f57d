// SPDX-License-Identifier: MIT
#include "events/database.hpp"

#include "common/fd.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>

namespace eventmgr::schema {
extern const std::string_view k_001_initial;
extern const std::string_view k_002_lean_journal;
extern const std::string_view k_005_fleet;
extern const std::string_view k_003_retries;
extern const std::string_view k_004_conditions;
} // namespace eventmgr::schema

namespace eventmgr::events {
namespace {

struct Migration {
  int version;
  std::string_view sql;
  // Rebuilds a table others refer to: runs with foreign keys off (dropping the old table must
  // not cascade), and is checked with PRAGMA foreign_key_check before it commits.
  bool rebuilds_tables = false;
};

// Version k is element k-1; the array's size ties the list to k_schema_version. Built on each
// call rather than held in a namespace-scope array: the SQL lives in another translation unit,
// whose initialisation order relative to this one is unspecified.
std::array<Migration, k_schema_version> migrations() {
  return {{
    {1, schema::k_001_initial},
    {2, schema::k_002_lean_journal, true},
    {3, schema::k_003_retries},
    {4, schema::k_004_conditions},
    {5, schema::k_005_fleet},
  }};
}

std::string too_new(const std::string& path, int version) {
  return "database " + path + " has schema version " + std::to_string(version) +
         "; this eventmgr knows up to " + std::to_string(k_schema_version);
}

// Applies `migration` in its own write transaction, unless the file reached its version
// meanwhile (the version is read again under the write lock).
Result<void> apply(sqlite::Database& db, const Migration& migration) {
  sqlite::Transaction transaction(db);
  int current = db.user_version();
  if (current > k_schema_version) {
    return make_error(too_new(db.path(), current));
  }
  if (current >= migration.version) {
    return {};
  }
  try {
    db.exec(migration.sql);
    if (migration.rebuilds_tables) {
      auto check = db.prepare("PRAGMA foreign_key_check");
      if (check.step()) {
        return make_error("cannot migrate database " + db.path() + " to schema version " +
                          std::to_string(migration.version) + ": a row of table " + check.column_text(0) +
                          " refers to a missing row; nothing was changed");
      }
    }
    db.exec("PRAGMA user_version = " + std::to_string(migration.version));
    transaction.commit();
  } catch (const sqlite::Failure& failure) {
    return make_error("cannot migrate database " + db.path() + " to schema version " +
                      std::to_string(migration.version) + ": " + failure.what());
  }
  return {};
}

// Applies every migration newer than the file's version. The version is read again inside
// each write transaction, so a daemon and a CLI migrating a new file at once do not both apply
// the same step.
Result<void> migrate(sqlite::Database& db, int version_seen) {
  for (const Migration& migration : migrations()) {
    if (migration.version <= version_seen) {
      continue; // no write lock taken when the file is up to date
    }
    if (!migration.rebuilds_tables) {
      if (auto applied = apply(db, migration); !applied) {
        return applied;
      }
      continue;
    }
    // PRAGMA foreign_keys is a no-op inside a transaction: set it around it.
    db.exec("PRAGMA foreign_keys=OFF");
    Result<void> applied;
    try {
      applied = apply(db, migration);
    } catch (...) {
      db.exec("PRAGMA foreign_keys=ON");
      throw;
    }
    db.exec("PRAGMA foreign_keys=ON");
    if (!applied) {
      return applied;
    }
  }
  return {};
}

std::string group_name(gid_t gid) {
  std::vector<char> buffer(16384);
  group entry{};
  group* found = nullptr;
  if (getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return entry.gr_name;
  }
  return std::to_string(gid);
}

} // namespace

Result<std::vector<std::string>> make_database_private(const std::filesystem::path& path) {
  std::vector<std::string> changed;
  const gid_t mine = getegid();
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string name = path.string() + suffix;
    // O_NOFOLLOW and the f* calls: the checks and the changes apply to one file, not a link.
    UniqueFd fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd) {
      if (errno == ENOENT) {
        continue;
      }
      return make_error("cannot check database file " + name + ": " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
      return make_error("cannot check database file " + name + ": " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
      return make_error("cannot use database file " + name + ": not a regular file");
    }
    if ((st.st_mode & 07777) == 0600 && st.st_gid == mine) {
      continue;
    }
    if (::fchown(fd.get(), static_cast<uid_t>(-1), mine) != 0 || ::fchmod(fd.get(), 0600) != 0) {
      return make_error("cannot make database file " + name +
                        " private (mode 0600): " + std::strerror(errno));
    }
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    changed.push_back("made " + name + " private: it was mode " + mode + " group " + group_name(st.st_gid) +
                      ", now 0600 group " + group_name(mine));
  }
  return changed;
}

Result<sqlite::Database> open_database(const std::filesystem::path& path, OpenFor purpose,
                                       unsigned file_mode) {
  const std::string name = path.string();
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);

  if (purpose == OpenFor::read_only) {
    if (!existed) {
      return make_error("cannot open database " + name + ": " +
                        std::generic_category().message(ENOENT));
    }
    auto db = sqlite::Database::open(name, sqlite::Mode::read_only);
    if (!db) {
      return db.error();
    }
    try {
      int version = db->user_version();
      if (version > k_schema_version) {
        return make_error(too_new(name, version));
      }
      if (version < k_schema_version) {
        return make_error("database " + name + " has schema version " + std::to_string(version) +
                          "; this eventmgr needs " + std::to_string(k_schema_version) +
                          " (eventmgrd migrates it at start)");
      }
    } catch (const sqlite::Failure& failure) {
      return make_error("cannot read database " + name + ": " + failure.what());
    }
    return db;
  }

  auto db = sqlite::Database::open(name, sqlite::Mode::read_write_create, file_mode);
  if (!db) {
    return db.error();
  }
  // open(2) applied the umask; a new file gets exactly the mode asked for (SQLite gives the
  // -wal and -shm files the database file's mode).
  if (!existed && ::chmod(name.c_str(), file_mode) != 0) {
    return make_error("cannot set the mode of database " + name + ": " + std::strerror(errno));
  }
  try {
    int version = db->user_version();
    if (version > k_schema_version) {
      return make_error(too_new(name, version));
    }
    if (auto migrated = migrate(*db, version); !migrated) {
      return migrated.error();
    }
  } catch (const sqlite::Failure& failure) {
    return make_error("cannot migrate database " + name + ": " + failure.what());
  }
  return db;
}

} // namespace eventmgr::events
