// SPDX-License-Identifier: MIT
#pragma once

#include "cli/app.hpp"
#include "handlers/handler.hpp"
#include "manage/handler_db.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace eventmgr::cli {

using manage::Access;
using manage::HandlerDb;

// manage::open_handlers on the command's config; CommandError (exit 1) naming the problem.
std::unique_ptr<HandlerDb> open_handlers(Context& context, Access access);

// "no handler with id N (eventmgr handler list shows them)".
std::string no_handler_message(std::int64_t id);

// Handler `id`, or CommandError (exit 2) naming it.
handlers::Handler get_handler(HandlerDb* db, std::int64_t id);

} // namespace eventmgr::cli
