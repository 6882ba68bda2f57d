// SPDX-License-Identifier: MIT
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::cli {

// Human output: rows printed in aligned columns, the last column unpadded, each cell shown
// through printable (a cell printable already made stays as it is).
class Table {
public:
  explicit Table(std::vector<std::string> header) { m_rows.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
  bool empty() const { return m_rows.size() <= 1; }
  void print(std::ostream& out) const;

private:
  std::vector<std::vector<std::string>> m_rows;
};

// Display width of UTF-8 `text` (code points; good enough for labels and names).
std::size_t display_width(const std::string& text);

// `items` separated by `separator`.
std::string join(const std::vector<std::string>& items, std::string_view separator);

// `items` as a JSON array of strings.
boost::json::array json_strings(const std::vector<std::string>& items);

// Makes a value printable on one line, safe for a terminal: escape_control (common/text.hpp),
// that is \xNN for C0 controls, DEL and invalid UTF-8 bytes, \u{N} for C1 and bidi controls.
std::string printable(std::string_view text);

// `text` (a message of several lines) with each line made printable; its newlines stay.
std::string printable_lines(std::string_view text);

// `value` serialized as JSON for output: as boost::json::serialize, but DEL, the C1 and bidi
// controls and U+2028-9 written as \uXXXX and each invalid UTF-8 byte as \ufffd, so the
// document is valid UTF-8 and shows nothing a terminal acts on; it decodes to the same values.
std::string json_text(const boost::json::value& value);

} // namespace eventmgr::cli
