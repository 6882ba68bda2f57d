// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"

#include <spdlog/logger.h>

#include <memory>

namespace eventmgr::daemon {

class LastErrorSink;

// The daemon's logger: stderr, plus `log_file` when set, at `log_level`, plus `last_error`.
std::shared_ptr<spdlog::logger> make_logger(const Config& config, std::shared_ptr<LastErrorSink> last_error);

// Replaces the logger's sinks and level from `config` (SIGHUP: reopens a rotated log file).
// Components keep their pointer to the same logger.
Result<void> reconfigure_logger(spdlog::logger& logger, const Config& config);

} // namespace eventmgr::daemon
