// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"

#include <cstddef>
#include <filesystem>
#include <string>

namespace eventmgr::manage {

// `bytes` random bytes as lower-case hex, for generated ids, file names and tokens.
std::string random_hex(std::size_t bytes);

enum class Receipt { no, yes };

// Writes `line` to pickup/.NAME.tmp, flushes it to disk and renames it to NAME.json (with
// `Receipt::yes` NAME.receipt.json: the daemon leaves a receipt of that name in STATE/receipts);
// returns the final path. The error names the file and the cause.
Result<std::filesystem::path> write_pickup_file(const Config& config, const std::string& line,
                                                Receipt receipt = Receipt::no);

} // namespace eventmgr::manage
