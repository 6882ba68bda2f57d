// SPDX-License-Identifier: MIT
#include "web/html.hpp"

#include "common/text.hpp"

namespace eventmgr::web {
namespace {

void append_entities(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
}

} // namespace

std::string html(std::string_view text) {
  std::string out;
  append_entities(out, escape_control(text));
  return out;
}

std::string html_lines(std::string_view text) {
  std::string out;
  while (true) {
    std::size_t end = text.find('\n');
    append_entities(out, escape_control(text.substr(0, end)));
    if (end == std::string_view::npos) {
      break;
    }
    out += '\n';
    text.remove_prefix(end + 1);
  }
  return out;
}

} // namespace eventmgr::web
