// SPDX-License-Identifier: MIT
#include "common/string_list.hpp"

#include <boost/json.hpp>

namespace eventmgr {

std::string to_json_array(const std::vector<std::string>& items) {
  boost::json::array array;
  for (const std::string& item : items) {
    array.emplace_back(item);
  }
  return boost::json::serialize(array);
}

std::vector<std::string> from_json_array(std::string_view text) {
  std::vector<std::string> items;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_array()) {
    return items;
  }
  for (const boost::json::value& item : value.get_array()) {
    if (item.is_string()) {
      items.emplace_back(item.get_string());
    }
  }
  return items;
}

} // namespace eventmgr
