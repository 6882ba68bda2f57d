// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace eventmgr::compat {

// The commands of Plesk's `event_handler` utility.
enum class Command { create, update, remove, list, list_events, list_users, help };

// One parsed `event_handler` command line. Options not given stay nullopt.
struct Request {
  Command command = Command::help;
  std::int64_t id = 0; // --update ID, --delete ID
  std::optional<std::string> event;
  std::optional<std::string> priority;
  std::optional<std::string> user;
  std::optional<std::string> handler_command; // -command
};

// Parses `args` (argv without the program name) with Plesk's syntax: one command (`--create`,
// `--update ID`, `--delete ID`, `--list`/`-l`, `--list-events`, `--list-users`, `--help`/`-h`)
// and, for create and update, the options `-event`, `-priority`, `-user`, `-command` in any
// order, each taking the next word as its value. The error says what is wrong, one line.
Result<Request> parse_event_handler_args(const std::vector<std::string>& args);

// The text of `--help` (also shown, to stderr, after a usage error).
std::string event_handler_usage();

} // namespace eventmgr::compat
