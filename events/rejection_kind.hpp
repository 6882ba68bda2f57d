// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace eventmgr::events {

// The kind of a rejection reason, a short stable word for a metric label (the reason itself
// carries names and values, too many to count by): empty, invalid_utf8, malformed_json,
// invalid_field, unknown_event, invalid_parameter, too_long, incomplete, refused_file, other.
std::string_view rejection_kind(std::string_view reason);

} // namespace eventmgr::events
