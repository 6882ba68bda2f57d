// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::cli {

// One block of Plesk's `event_handler --list`.
struct PleskHandler {
  std::int64_t id = 0;
  std::string name; // the event's title
  std::string priority;
  std::string user;
  std::string command;
};

// Reads `--list` output as tools written for Plesk do: each line is a label (Id, Name,
// Priority, User, Command) and a value after blanks; an `Id` line starts a handler. Lines
// with another label, and blocks without a numeric Id, are skipped.
std::vector<PleskHandler> parse_plesk_handler_list(std::string_view text);

// The event of a handler the bridge made: its command runs a program named `eventmgr` with the
// words `submit --from-env EVENT`; empty for any other command.
std::string bridged_event(const std::string& command);

} // namespace eventmgr::cli
