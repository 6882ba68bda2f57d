// SPDX-License-Identifier: MIT
#include "common/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace eventmgr {

std::optional<CodePoint> decode_utf8(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80) {
    return CodePoint{lead, 1};
  }
  std::size_t length = 0;
  std::uint32_t value = 0;
  std::uint32_t minimum = 0;
  if ((lead & 0xe0) == 0xc0) {
    length = 2;
    value = lead & 0x1fU;
    minimum = 0x80;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3;
    value = lead & 0x0fU;
    minimum = 0x800;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4;
    value = lead & 0x07U;
    minimum = 0x10000;
  } else {
    return std::nullopt;
  }
  if (text.size() - i < length) {
    return std::nullopt;
  }
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xc0) != 0x80) {
      return std::nullopt;
    }
    value = (value << 6) | (next & 0x3fU);
  }
  if (value < minimum || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
    return std::nullopt;
  }
  return CodePoint{value, length};
}

bool is_terminal_control(std::uint32_t value) {
  // U+009B is CSI on many terminals; the bidi embeddings, overrides, isolates and marks reorder
  // what is shown (Trojan Source); U+2028-9 break lines in some viewers.
  return value < 0x20 || (value >= 0x7f && value <= 0x9f) || value == 0x061c || value == 0x200e ||
         value == 0x200f || (value >= 0x2028 && value <= 0x202e) || (value >= 0x2066 && value <= 0x2069);
}

namespace {

constexpr std::string_view k_hex = "0123456789abcdef";

void append_byte(std::string& out, unsigned char byte) {
  out += "\\x";
  out += k_hex[byte >> 4];
  out += k_hex[byte & 0xf];
}

void append_code_point(std::string& out, std::uint32_t value) {
  out += "\\u{";
  int shift = 20;
  while (shift > 0 && ((value >> shift) & 0xf) == 0) {
    shift -= 4;
  }
  for (; shift >= 0; shift -= 4) {
    out += k_hex[(value >> shift) & 0xf];
  }
  out += '}';
}

} // namespace

std::string escape_control(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // Printable ASCII, the common case, is copied a run at a time.
    std::size_t plain = i;
    while (plain < text.size() && static_cast<unsigned char>(text[plain]) >= 0x20 &&
           static_cast<unsigned char>(text[plain]) < 0x7f) {
      ++plain;
    }
    out.append(text.substr(i, plain - i));
    i = plain;
    if (i == text.size()) {
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      append_byte(out, c);
      ++i;
    } else if (auto decoded = decode_utf8(text, i); !decoded) {
      // One byte at a time: the next one may start a valid sequence.
      append_byte(out, c);
      ++i;
    } else {
      if (is_terminal_control(decoded->value)) {
        append_code_point(out, decoded->value);
      } else {
        out.append(text.substr(i, decoded->length));
      }
      i += decoded->length;
    }
  }
  return out;
}

std::string escape_for_message(std::string_view text) {
  constexpr std::size_t k_max = 64;
  std::size_t cut = text.size();
  if (cut > k_max) {
    cut = k_max;
    // Back to the start of the character, at most three bytes: invalid bytes are cut anywhere.
    while (cut > k_max - 3 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) {
      --cut;
    }
  }
  return escape_control(text.substr(0, cut)) + (cut < text.size() ? "..." : "");
}

std::optional<std::size_t> find_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    // ASCII fast path, eight bytes at a time (records are mostly ASCII).
    while (text.size() - i >= 8) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, sizeof word);
      if ((word & 0x8080808080808080ULL) != 0) {
        break;
      }
      i += 8;
    }
    if (i >= text.size()) {
      break;
    }
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const auto decoded = decode_utf8(text, i);
    if (!decoded) {
      return i;
    }
    i += decoded->length;
  }
  return std::nullopt;
}

std::string to_valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    auto bad = find_invalid_utf8(bytes);
    std::size_t good = bad ? *bad : bytes.size();
    out.append(bytes.substr(0, good));
    if (!bad) {
      break;
    }
    out += "\xef\xbf\xbd";
    bytes.remove_prefix(good + 1);
  }
  return out;
}

std::size_t count_characters(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

} // namespace eventmgr
