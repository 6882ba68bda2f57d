// SPDX-License-Identifier: MIT
#include "cli/app.hpp"

namespace eventmgr::cli {
void add_submit_command(CLI::App&, Context&) {}
} // namespace eventmgr::cli
