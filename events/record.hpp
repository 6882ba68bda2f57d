// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"
#include "events/catalog.hpp"
#include "events/event.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::events {

// Limits of a record (docs/PROTOCOL.md).
inline constexpr std::size_t k_max_pipe_record = 4096;
inline constexpr std::size_t k_max_pickup_file = 1024 * 1024;
inline constexpr std::size_t k_max_value = 64 * 1024;
inline constexpr std::size_t k_max_params = 256; // parameters and `extra` members together
inline constexpr std::size_t k_max_extra_key = 256;
inline constexpr std::size_t k_max_id = 128;
inline constexpr std::size_t k_max_source = 64;

struct ParsedRecord {
  Event event;
  std::vector<std::string> warnings; // e.g. an old_ value dropped on a create event
  // The record's own text reads back through from_json as this event (every value a string,
  // nothing dropped): the journal may keep the record as it arrived.
  bool verbatim = false;
};

// Parses one wire record (one JSON object, without its newline) and validates it against
// `catalog` (docs/PROTOCOL.md). On failure the error message is the rejection reason an
// administrator reads in `eventmgr rejected`.
Result<ParsedRecord> parse_record(std::string_view line, const Catalog& catalog, Fill fill = Fill::all);

} // namespace eventmgr::events
