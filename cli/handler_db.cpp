// SPDX-License-Identifier: MIT
#include "cli/handler_db.hpp"

namespace eventmgr::cli {

std::unique_ptr<HandlerDb> open_handlers(Context& context, Access access) {
  auto db = manage::open_handlers(context.config(), access);
  if (!db) {
    throw CommandError{k_exit_failure, db.error().message};
  }
  return std::move(db.value());
}

std::string no_handler_message(std::int64_t id) {
  return "no handler with id " + std::to_string(id) + " (eventmgr handler list shows them)";
}

handlers::Handler get_handler(HandlerDb* db, std::int64_t id) {
  std::optional<handlers::Handler> handler = db != nullptr ? db->store().get(id) : std::nullopt;
  if (!handler) {
    throw CommandError{k_exit_usage, no_handler_message(id)};
  }
  return *handler;
}

} // namespace eventmgr::cli
