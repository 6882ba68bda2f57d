// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"

#include <spdlog/logger.h>

#include <memory>

namespace eventmgr::daemon {

// The daemon's logger: stderr, plus `log_file` when set, at `log_level`.
std::shared_ptr<spdlog::logger> make_logger(const Config& config);

// Replaces the logger's sinks and level from `config` (SIGHUP: reopens a rotated log file).
// Components keep their pointer to the same logger.
Result<void> reconfigure_logger(spdlog::logger& logger, const Config& config);

} // namespace eventmgr::daemon
