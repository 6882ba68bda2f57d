// SPDX-License-Identifier: MIT
#pragma once

#include <boost/json/array.hpp>

#include <ostream>
#include <string_view>
#include <string>
#include <vector>

namespace eventmgr::cli {

// Human output: rows printed in aligned columns, the last column unpadded.
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

// Makes a value printable on one line: control characters are shown as \n, \t, \xNN.
std::string printable(const std::string& text);

} // namespace eventmgr::cli
