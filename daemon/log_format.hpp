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

// The message alone, escaped as by make_log_formatter, without time, level or line end: the
// journal's MESSAGE field (the journal has its own time and priority).
std::unique_ptr<spdlog::formatter> make_journal_message_formatter();

} // namespace eventmgr::daemon
