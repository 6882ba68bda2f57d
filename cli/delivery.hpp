// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"

#include <cstddef>
#include <filesystem>
#include <string>

namespace eventmgr::cli {

// How a record reaches the daemon (docs/PROTOCOL.md); used by `submit` and `rejected resubmit`.
// Failures throw CommandError naming the pipe or file.

// Writes `line` (one record with its newline, at most 4096 bytes) to the FIFO in one write();
// false when no daemon holds the pipe open for reading.
bool send_through_pipe(const Config& config, const std::string& line);

enum class Receipt { no, yes };

// Writes `line` to pickup/.NAME.tmp, flushes it to disk and renames it to NAME.json (with
// `Receipt::yes` NAME.receipt.json: the daemon leaves a receipt of that name in STATE/receipts);
// returns the final path. The daemon journals the file's records and unlinks it.
std::filesystem::path send_through_pickup(const Config& config, const std::string& line,
                                          Receipt receipt = Receipt::no);

// True when eventmgrd runs on the config's state dir: it holds the lock, or (for a user who may
// not open the lock file, such as the panel) its status file is live.
bool daemon_runs(const Config& config);

// `bytes` random bytes as lower-case hex, for generated ids and file names.
std::string random_hex(std::size_t bytes);

} // namespace eventmgr::cli
