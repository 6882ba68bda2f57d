// SPDX-License-Identifier: MIT
// eventmgrd: the event-handler daemon. Runs in the foreground until SIGTERM/SIGINT.
#include "common/config.hpp"
#include "daemon/daemon.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  // 1. Options: where the config and the state live.
  CLI::App app{"eventmgrd: runs event handlers for the panel's events"};
  app.name("eventmgrd");
  app.set_version_flag("--version", std::string("eventmgrd ") + EVENTMGR_VERSION);
  std::string config_file;
  std::string state_dir;
  app.add_option("--config", config_file, "config file (default /etc/eventmgr/eventmgr.yaml if present)");
  app.add_option("--state-dir", state_dir, "state directory (database, pipe, pickup)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  // 2. The config: an unknown key or a bad value stops the start with file:line.
  eventmgr::ConfigSources sources;
  if (!config_file.empty()) {
    sources.config_file = config_file;
  }
  if (!state_dir.empty()) {
    sources.state_dir = state_dir;
  }
  auto config = eventmgr::load_config(sources);
  if (!config) {
    std::cerr << "eventmgrd: " << config.error().message << "\n";
    return 2;
  }

  // 3. Run until told to stop. Errors of one record or one run are handled inside; what
  // reaches here is fatal (e.g. the database failing at start).
  try {
    eventmgr::daemon::Daemon daemon(std::move(config.value()), sources);
    return daemon.run();
  } catch (const std::exception& e) {
    std::cerr << "eventmgrd: fatal: " << e.what() << "\n";
    return 1;
  }
}
