// SPDX-License-Identifier: MIT
#include "cli/handler_db.hpp"

#include "events/database.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace eventmgr::cli {
namespace fs = std::filesystem;
using handlers::Handler;

namespace {

void make_directory(const fs::path& path, const char* what) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      throw CommandError{k_exit_failure,
                         std::string("cannot use ") + what + " " + path.string() + ": not a directory"};
    }
    return;
  }
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (::mkdir(path.c_str(), 0750) != 0 && errno != EEXIST) {
    throw CommandError{k_exit_failure, std::string("cannot create ") + what + " " + path.string() + ": " +
                                           std::strerror(errno)};
  }
  // mkdir applies the umask; the state dir gets exactly 0750.
  ::chmod(path.c_str(), 0750);
}

} // namespace

std::unique_ptr<HandlerDb> open_handlers(Context& context, Access access) {
  const Config& config = context.config();
  std::error_code ec;
  if (access == Access::read && !fs::exists(config.database, ec)) {
    return nullptr;
  }
  if (access == Access::write) {
    make_directory(config.state_dir, "state dir");
    if (config.database.parent_path() != config.state_dir) {
      make_directory(config.database.parent_path(), "database directory");
    }
  }
  // 0600 whatever pipe_group is: the journal holds secrets (the group reads status.json).
  auto db = events::open_database(config.database, events::OpenFor::cli, 0600);
  if (!db) {
    throw CommandError{k_exit_failure, db.error().message};
  }
  return std::make_unique<HandlerDb>(std::move(db.value()));
}

std::string no_handler_message(std::int64_t id) {
  return "no handler with id " + std::to_string(id) + " (eventmgr handler list shows them)";
}

Handler get_handler(HandlerDb* db, std::int64_t id) {
  std::optional<Handler> handler = db != nullptr ? db->store().get(id) : std::nullopt;
  if (!handler) {
    throw CommandError{k_exit_usage, no_handler_message(id)};
  }
  return *handler;
}

} // namespace eventmgr::cli
