// SPDX-License-Identifier: MIT
#include "events/rejection_kind.hpp"

#include <array>
#include <utility>

namespace eventmgr::events {

std::string_view rejection_kind(std::string_view reason) {
  // The openings of the reasons parse_record and the intakes give, first match wins.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 24> k_openings = {{
      {"empty record", "empty"},
      {"invalid UTF-8", "invalid_utf8"},
      {"malformed JSON", "malformed_json"},
      {"record is not a JSON object", "malformed_json"},
      {"unknown event", "unknown_event"},
      {"unknown field", "invalid_field"},
      {"duplicate field", "invalid_field"},
      {"missing field", "invalid_field"},
      {"'event' ", "invalid_field"},
      {"'id' ", "invalid_field"},
      {"'time' ", "invalid_field"},
      {"'source' ", "invalid_field"},
      {"'old' ", "invalid_field"},
      {"'new' ", "invalid_field"},
      {"unknown parameter", "invalid_parameter"},
      {"duplicate parameter", "invalid_parameter"},
      {"missing required parameter", "invalid_parameter"},
      {"nested value", "invalid_parameter"},
      {"value of ", "invalid_parameter"},
      {"record has ", "invalid_parameter"},
      {"record longer than", "too_long"},
      {"incomplete record", "incomplete"},
      {"pickup file ", "refused_file"},
      {"pickup entry ", "refused_file"},
  }};
  for (const auto& [opening, kind] : k_openings) {
    if (reason.starts_with(opening)) {
      // An over-size pickup file is read in part and rejected for its size, not refused unread.
      if (kind == "refused_file" && reason.find("; the limit is ") != std::string_view::npos) {
        return "too_long";
      }
      return kind;
    }
  }
  return "other";
}

} // namespace eventmgr::events
