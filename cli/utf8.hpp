// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace eventmgr::cli {

// `bytes` with every invalid UTF-8 sequence replaced by U+FFFD, so that stored output and raw
// records (which may hold any bytes) can go into a JSON document or be cut safely.
inline std::string valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    auto lead = static_cast<unsigned char>(bytes[i]);
    std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xe ? 3 : (lead >> 3) == 0x1e ? 4 : 0;
    bool good = length != 0 && i + length <= bytes.size();
    for (std::size_t k = 1; good && k < length; ++k) {
      good = (static_cast<unsigned char>(bytes[i + k]) & 0xc0) == 0x80;
    }
    if (good && length > 1) {
      // Overlong forms, surrogates and values above U+10FFFF are invalid too.
      auto second = static_cast<unsigned char>(bytes[i + 1]);
      good = !(lead == 0xc0 || lead == 0xc1 || (lead == 0xe0 && second < 0xa0) || (lead == 0xed && second >= 0xa0) ||
               (lead == 0xf0 && second < 0x90) || (lead == 0xf4 && second >= 0x90) || lead > 0xf4);
    }
    if (good) {
      out.append(bytes.substr(i, length));
      i += length;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

// The first `width` code points of valid UTF-8 `text`, with "…" when it was cut.
inline std::string cut_text(const std::string& text, std::size_t width) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) {
      if (points == width) {
        return text.substr(0, i) + "\xe2\x80\xa6";
      }
      ++points;
    }
  }
  return text;
}

} // namespace eventmgr::cli
