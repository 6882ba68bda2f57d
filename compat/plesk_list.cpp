// SPDX-License-Identifier: MIT
#include "compat/plesk_list.hpp"

#include "common/text.hpp"

#include <algorithm>

namespace eventmgr::compat {
namespace {

void add_line(std::string& out, std::string_view label, std::string_view value) {
  out.append(k_list_indent, ' ');
  out += label;
  out.append(k_list_label_width - label.size(), ' ');
  out += escape_control(value);
  out += '\n';
}

} // namespace

std::string format_handler_list(const std::vector<ListedHandler>& handlers) {
  std::string out;
  for (std::size_t i = 0; i < handlers.size(); ++i) {
    const ListedHandler& handler = handlers[i];
    if (i > 0) {
      out += '\n';
    }
    add_line(out, "Id", std::to_string(handler.id));
    add_line(out, "Name", handler.name);
    add_line(out, "Priority", std::to_string(handler.priority));
    add_line(out, "User", handler.user);
    add_line(out, "Command", handler.command);
  }
  return out;
}

std::string format_event_list(const std::vector<ListedEvent>& events) {
  std::size_t width = 0;
  for (const ListedEvent& event : events) {
    width = std::max(width, event.name.size());
  }
  std::string out;
  for (const ListedEvent& event : events) {
    const std::string name = escape_control(event.name);
    out += name;
    out.append(width + 2 - std::min(width, name.size()), ' ');
    out += escape_control(event.title);
    out += '\n';
  }
  return out;
}

} // namespace eventmgr::compat
