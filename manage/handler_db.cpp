// SPDX-License-Identifier: MIT
#include "manage/handler_db.hpp"

#include "events/database.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace eventmgr::manage {
namespace fs = std::filesystem;

namespace {

Result<void> make_directory(const fs::path& path, const char* what) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return make_error(std::string("cannot use ") + what + " " + path.string() + ": not a directory");
    }
    return {};
  }
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (::mkdir(path.c_str(), 0750) != 0 && errno != EEXIST) {
    return make_error(std::string("cannot create ") + what + " " + path.string() + ": " +
                      std::strerror(errno));
  }
  // mkdir applies the umask; the state dir gets exactly 0750.
  ::chmod(path.c_str(), 0750);
  return {};
}

} // namespace

Result<std::unique_ptr<HandlerDb>> open_handlers(const Config& config, Access access) {
  std::error_code ec;
  if (access == Access::read && !fs::exists(config.database, ec)) {
    return std::unique_ptr<HandlerDb>();
  }
  if (access == Access::write) {
    if (auto made = make_directory(config.state_dir, "state dir"); !made) {
      return made.error();
    }
    if (config.database.parent_path() != config.state_dir) {
      if (auto made = make_directory(config.database.parent_path(), "database directory"); !made) {
        return made.error();
      }
    }
  }
  // 0600 whatever pipe_group is: the journal holds secrets (the group reads status.json).
  auto db = events::open_database(config.database, events::OpenFor::cli, 0600);
  if (!db) {
    return db.error();
  }
  return std::make_unique<HandlerDb>(std::move(db.value()));
}

} // namespace eventmgr::manage
