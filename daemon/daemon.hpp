// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"

namespace eventmgr::daemon {

// eventmgrd: intake (pipe, pickup), the journal, dispatch and handler launch on one
// Boost.Asio event loop, from start-up checks to graceful stop.
class Daemon {
public:
  Daemon(Config config, ConfigSources sources);
  // Runs until SIGTERM or SIGINT. Start-up problems are printed and give exit code 1.
  int run();

private:
  Config m_config;
  ConfigSources m_sources;
};

} // namespace eventmgr::daemon
