// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eventmgr::compat {

// One handler as Plesk's `event_handler --list` shows it.
struct ListedHandler {
  std::int64_t id = 0;
  std::string name; // the event's human title, not its machine name
  int priority = 0;
  std::string user;
  std::string command;
};

// The label column: three spaces, the label padded to 17, so every value starts at byte 20.
inline constexpr std::size_t k_list_indent = 3;
inline constexpr std::size_t k_list_label_width = 17;

// Plesk's `--list` text: one block per handler (Id, Name, Priority, User, Command lines, in that
// order), a blank line between blocks, a newline after the last line; empty for no handlers.
// Tools parse this text: its layout is kept byte for byte. Values are shown on one line
// (control characters escaped).
std::string format_handler_list(const std::vector<ListedHandler>& handlers);

// One event of `--list-events`.
struct ListedEvent {
  std::string name;
  std::string title;
};

// `--list-events`: one line per event, its machine name padded to the longest name plus two
// spaces, then its title.
std::string format_event_list(const std::vector<ListedEvent>& events);

} // namespace eventmgr::compat
