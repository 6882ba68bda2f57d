// SPDX-License-Identifier: MIT
#include "cli/app.hpp"

namespace eventmgr::cli {
void add_handler_commands(CLI::App&, Context&) {}
} // namespace eventmgr::cli
