// SPDX-License-Identifier: MIT
// `eventmgr compat path`: the directory holding Plesk's `event_handler` and `plesk` wrapper.
#include "cli/app.hpp"
#include "cli/compat_dir.hpp"

#include <iostream>

namespace eventmgr::cli {

void add_compat_commands(CLI::App& app, Context& /*context*/) {
  auto* group = app.add_subcommand("compat", "programs for scripts written for another panel");
  group->require_subcommand(1);
  auto* path = group->add_subcommand(
      "path", "print the directory of Plesk's event_handler and plesk wrapper, to put first on PATH");
  set_action(path, []() {
    std::cout << compat_dir().string() << "\n";
    return k_exit_ok;
  });
}

} // namespace eventmgr::cli
