// SPDX-License-Identifier: MIT
#include "common/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace eventmgr {

std::string escape_control(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      constexpr std::string_view k_hex = "0123456789abcdef";
      out += "\\x";
      out += k_hex[c >> 4];
      out += k_hex[c & 0xf];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string escape_for_message(std::string_view text) {
  constexpr std::size_t k_max = 64;
  std::size_t cut = text.size();
  if (cut > k_max) {
    cut = k_max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) {
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
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    std::uint32_t minimum = 0;
    if ((lead & 0xe0) == 0xc0) {
      length = 2;
      code_point = lead & 0x1fU;
      minimum = 0x80;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      code_point = lead & 0x0fU;
      minimum = 0x800;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      code_point = lead & 0x07U;
      minimum = 0x10000;
    } else {
      return i;
    }
    if (text.size() - i < length) {
      return i;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) {
        return i;
      }
      code_point = (code_point << 6) | (next & 0x3fU);
    }
    if (code_point < minimum || code_point > 0x10ffff || (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return i;
    }
    i += length;
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
