// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eventmgr {

// Text taken from input as it may appear inside a one-line message: escaped as by
// escape_control, cut at a character boundary after 64 bytes with "...".
std::string escape_for_message(std::string_view text);

// `text` on one line, safe to print to a terminal or a log: C0 controls (newlines included)
// and DEL as \xNN; C1 controls, bidi controls (U+061C, U+200E-F, U+202A-E, U+2066-9) and
// U+2028-9 as \u{N}; each byte of invalid UTF-8 as \xNN; nothing cut, nothing else changed.
std::string escape_control(std::string_view text);

struct CodePoint {
  std::uint32_t value;
  std::size_t length; // bytes of its UTF-8 encoding
};

// The code point whose UTF-8 encoding starts at `text[at]` (`at` < size), or nullopt when the
// bytes there are not valid UTF-8 (overlong forms, surrogates, above U+10FFFF, cut short).
std::optional<CodePoint> decode_utf8(std::string_view text, std::size_t at);

// Whether a terminal acts on code point `value` instead of showing it: the C0 and C1 controls,
// DEL, the bidi controls and the line and paragraph separators (what escape_control escapes).
bool is_terminal_control(std::uint32_t value);

// The offset of the first byte that does not start a valid UTF-8 sequence (overlong forms,
// surrogates and code points above U+10FFFF are invalid), or nullopt.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

// `bytes` with every invalid UTF-8 sequence replaced by U+FFFD, so that stored output and raw
// records (which may hold any bytes) can go into a JSON document or be cut safely.
std::string to_valid_utf8(std::string_view bytes);

// Characters (code points) of valid UTF-8 `text`.
std::size_t count_characters(std::string_view text);

} // namespace eventmgr
