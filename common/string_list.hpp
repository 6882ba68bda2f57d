// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace eventmgr {

// A list of strings as a JSON array, the form stored for a handler's params and a run's argv.
std::string to_json_array(const std::vector<std::string>& items);
// Reads back what to_json_array wrote; anything else (not an array, non-strings) is skipped.
std::vector<std::string> from_json_array(std::string_view text);

} // namespace eventmgr
