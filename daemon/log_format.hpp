// SPDX-License-Identifier: MIT
#pragma once

#include <spdlog/formatter.h>

#include <memory>

namespace eventmgr::daemon {

// The daemon log's line format, "YYYY-MM-DD HH:MM:SS.mmm LEVEL message", with the message
// escaped as by escape_control except its own newlines, each of which starts a continuation line
// indented by two spaces: whatever a message carries, every line that starts at column 0 starts
// a message the daemon logged, and no control character reaches the file or the terminal.
std::unique_ptr<spdlog::formatter> make_log_formatter();

} // namespace eventmgr::daemon
