// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/text.hpp"

namespace eventmgr::cli {

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
