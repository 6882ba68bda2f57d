// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"
#include "common/sqlite.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace eventmgr::events {

// The newest schema version this binary knows (the number of the last migration in
// schema/migrations/).
inline constexpr int k_schema_version = 4;

// Who opens the database. `daemon` and `cli` create the file when absent and migrate the
// schema forward; `read_only` never creates, writes or migrates, and needs the current schema.
enum class OpenFor { daemon, cli, read_only };

// Opens the database at `path` for `purpose`. A new file gets exactly `file_mode`. Every
// embedded migration newer than the file's `PRAGMA user_version` is applied in order, each in
// one transaction. Errors name the file; a database newer than this binary is refused:
// "database X has schema version N; this eventmgr knows up to M".
Result<sqlite::Database> open_database(const std::filesystem::path& path, OpenFor purpose,
                                       unsigned file_mode = 0600);

// Makes the database at `path` and its -wal and -shm files (those present) private again: mode
// 0600 and the caller's group, as it creates them. An older eventmgr gave them to the pipe
// group (0640). Returns one line per file it changed: "made X private: it was mode 0640 group
// G, now 0600 group H"; the error names the file and the cause. Call it before opening.
Result<std::vector<std::string>> make_database_private(const std::filesystem::path& path);

} // namespace eventmgr::events
