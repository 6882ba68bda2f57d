// SPDX-License-Identifier: MIT
#include "cli/plesk_handler_list.hpp"

#include <charconv>
#include <filesystem>
#include <sstream>

namespace eventmgr::cli {
namespace {

bool blank(char c) {
  return c == ' ' || c == '\t';
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string word; in >> word;) {
    out.push_back(word);
  }
  return out;
}

std::string unquote(std::string word) {
  if (word.size() >= 2 && (word.front() == '\'' || word.front() == '"') && word.back() == word.front()) {
    return word.substr(1, word.size() - 2);
  }
  return word;
}

} // namespace

std::vector<PleskHandler> parse_plesk_handler_list(std::string_view text) {
  std::vector<PleskHandler> found;
  bool in_block = false;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    std::size_t at = 0;
    while (at < line.size() && blank(line[at])) {
      ++at;
    }
    std::size_t label_end = at;
    while (label_end < line.size() && !blank(line[label_end])) {
      ++label_end;
    }
    const std::string_view label = line.substr(at, label_end - at);
    std::size_t value_at = label_end;
    while (value_at < line.size() && blank(line[value_at])) {
      ++value_at;
    }
    const std::string value(line.substr(value_at));
    if (label == "Id") {
      std::int64_t id = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
      in_block = ec == std::errc() && ptr == value.data() + value.size() && !value.empty();
      if (in_block) {
        found.push_back(PleskHandler{id, "", "", "", ""});
      }
    } else if (in_block && label == "Name") {
      found.back().name = value;
    } else if (in_block && label == "Priority") {
      found.back().priority = value;
    } else if (in_block && label == "User") {
      found.back().user = value;
    } else if (in_block && label == "Command") {
      found.back().command = value;
    }
  }
  return found;
}

std::string bridged_event(const std::string& command) {
  const std::vector<std::string> all = words(command);
  if (all.empty() || std::filesystem::path(unquote(all.front())).filename() != "eventmgr") {
    return {};
  }
  for (std::size_t i = 1; i + 2 < all.size(); ++i) {
    if (all[i] == "submit" && all[i + 1] == "--from-env") {
      return unquote(all[i + 2]);
    }
  }
  return {};
}

} // namespace eventmgr::cli
