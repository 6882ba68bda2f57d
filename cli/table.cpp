// SPDX-License-Identifier: MIT
#include "cli/table.hpp"

#include "common/text.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace eventmgr::cli {

std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string printable(std::string_view text) {
  return escape_control(text);
}

std::string printable_lines(std::string_view text) {
  std::string out;
  while (true) {
    const std::size_t end = text.find('\n');
    out += escape_control(text.substr(0, end));
    if (end == std::string_view::npos) {
      return out;
    }
    out += '\n';
    text.remove_prefix(end + 1);
  }
}

std::string json_text(const boost::json::value& value) {
  const std::string text = boost::json::serialize(value);
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // Outside strings the serializer writes ASCII only, and it escapes C0 controls itself: what
    // is changed here is inside a string, where \uXXXX stands for the same character.
    const auto decoded = decode_utf8(text, i);
    if (!decoded) {
      out += "\\ufffd";
      ++i;
    } else if (is_terminal_control(decoded->value)) {
      constexpr std::string_view k_hex = "0123456789abcdef";
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) {
        out += k_hex[(decoded->value >> shift) & 0xf];
      }
      i += decoded->length;
    } else {
      out.append(text, i, decoded->length);
      i += decoded->length;
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : std::string(separator)) + items[i];
  }
  return out;
}

boost::json::array json_strings(const std::vector<std::string>& items) {
  boost::json::array array;
  for (const auto& item : items) {
    array.emplace_back(item);
  }
  return array;
}

void Table::print(std::ostream& out) const {
  std::vector<std::size_t> widths;
  std::vector<std::vector<std::string>> shown;
  for (const auto& row : m_rows) {
    auto& cells = shown.emplace_back();
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) {
      cells.push_back(printable(row[i]));
      widths[i] = std::max(widths[i], display_width(cells[i]));
    }
  }
  for (const auto& row : shown) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line.append(widths[i] - display_width(row[i]) + 2, ' ');
      }
    }
    out << line << "\n";
  }
}

} // namespace eventmgr::cli
