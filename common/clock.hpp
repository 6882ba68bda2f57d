// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eventmgr {

// Wall-clock time as unix milliseconds, the unit of every stored time.
inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

// Local time "YYYY-MM-DD HH:MM:SS" for people.
std::string format_local_time(std::int64_t unix_ms);
// UTC RFC 3339 with milliseconds, for machines ("2026-11-25T15:18:22.123Z").
std::string format_rfc3339(std::int64_t unix_ms);
// "250ms", "3.2s", "4m05s", "2h10m", "3d4h": a duration for people.
std::string format_duration(std::int64_t ms);
// A relative duration "90s", "15m", "2h", "7d" in milliseconds; nullopt when malformed.
std::optional<std::int64_t> parse_duration(std::string_view text);
// An absolute time: RFC 3339 ("2026-11-25T10:00:00Z", offsets allowed) or local "YYYY-MM-DD[ HH:MM[:SS]]".
std::optional<std::int64_t> parse_time(std::string_view text);

} // namespace eventmgr
