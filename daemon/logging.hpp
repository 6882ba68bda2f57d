// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"

#include <spdlog/logger.h>

#include <memory>

namespace eventmgr::daemon {

class LastErrorSink;

// The daemon's logger: stderr (or the journal, per `log_journal`) and `last_error`, at `log_level`. The log file is added by
// `reconfigure_logger`, once start-up has checked the dirs.
std::shared_ptr<spdlog::logger> make_logger(const Config& config, std::shared_ptr<LastErrorSink> last_error);

// Replaces the logger's sinks and level from `config` (at start, and on SIGHUP to reopen a rotated
// log file). The log file is opened without following a symbolic link and created with mode 0640
// whatever the umask; one that `log_file_problem` refuses is an error, and one others may read or
// write is narrowed to 0640 with a warning. Components keep their pointer to the same logger.
Result<void> reconfigure_logger(spdlog::logger& logger, const Config& config);

} // namespace eventmgr::daemon
