// SPDX-License-Identifier: MIT
#include "manage/handler_check.hpp"

#include "common/program_access.hpp"
#include "common/text.hpp"
#include "common/users.hpp"
#include "handlers/command_template.hpp"
#include "handlers/condition.hpp"

#include <charconv>
#include <cstdint>

namespace eventmgr::manage {

using handlers::Handler;

std::optional<std::int64_t> parse_digits(std::string_view text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string unknown_event_message(const events::Catalog& catalog, const std::string& name) {
  std::string message = "unknown event '" + name + "'";
  auto close = catalog.suggest(name);
  if (!close.empty()) {
    message += "; did you mean ";
    for (std::size_t i = 0; i < close.size(); ++i) {
      message += (i == 0 ? "" : i + 1 == close.size() ? " or " : ", ") + close[i];
    }
    message += "?";
  }
  return message + " (eventmgr events lists all)";
}

std::optional<int> parse_timeout(std::string_view text) {
  auto value = parse_digits(text);
  if (!value || *value < 1 || *value > k_max_timeout) {
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

std::string invalid_timeout_message(std::string_view text) {
  return "invalid timeout '" + std::string(text) + "': use a whole number of seconds 1.." +
         std::to_string(k_max_timeout);
}

std::optional<int> parse_concurrency(std::string_view text) {
  auto value = parse_digits(text);
  if (!value || *value > k_max_concurrency) {
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

std::string invalid_concurrency_message(std::string_view text) {
  return "invalid concurrency '" + std::string(text) + "': use a whole number 1.." +
         std::to_string(k_max_concurrency) + " (runs of this handler at once), or 0 for no limit";
}

std::vector<std::string> reach_problems(const Handler& handler, const events::Catalog& catalog) {
  const events::EventDef* def = catalog.find(handler.event);
  auto user = lookup_user(handler.user);
  if (def == nullptr || !user) {
    return {};
  }
  auto command = handlers::CommandTemplate::parse(handler, *def);
  if (!command) {
    return {};
  }
  return program_problems(command->program(), *user);
}

std::vector<HandlerProblem> check_handler(const Handler& handler, const events::Catalog& catalog,
                                          const Config& config) {
  std::vector<HandlerProblem> problems;
  // Handlers are stored, exported and shown as text: invalid UTF-8 would not survive a round trip.
  for (const auto& [field, text] : {std::pair<const char*, const std::string*>{"command", &handler.command},
                                    {"description", &handler.description},
                                    {"if", &handler.condition}}) {
    if (auto bad = find_invalid_utf8(*text)) {
      problems.push_back({field, std::string(field) + " is not valid UTF-8 (byte " + std::to_string(*bad) +
                                     "); write it in UTF-8"});
    }
  }
  if (const events::EventDef* def = catalog.find(handler.event); def == nullptr) {
    problems.push_back({"event", unknown_event_message(catalog, handler.event)});
  } else {
    if (auto command = handlers::CommandTemplate::parse(handler, *def); !command) {
      problems.push_back({"command", command.error().message});
    }
    if (!handler.condition.empty()) {
      if (auto condition = handlers::Condition::parse(handler.condition, *def); !condition) {
        problems.push_back({"if", condition.error().message});
      }
    }
  }
  if (handler.concurrency < 0 || handler.concurrency > k_max_concurrency) {
    problems.push_back({"concurrency", invalid_concurrency_message(std::to_string(handler.concurrency))});
  }
  if (handler.priority < 0 || handler.priority > handlers::k_max_priority) {
    problems.push_back(
        {"priority", handlers::validate_priority(std::to_string(handler.priority)).error().message});
  }
  if (handler.timeout < 1 || handler.timeout > k_max_timeout) {
    problems.push_back({"timeout", invalid_timeout_message(std::to_string(handler.timeout))});
  }
  if (auto user = lookup_user(handler.user); !user) {
    problems.push_back(
        {"user",
         user.error().message + "; the handler's user must be an existing system account (getent passwd)"});
  } else if (user->uid == 0 && !config.allow_root) {
    problems.push_back({"user", "user " + handler.user +
                                    " is root, and handlers may not run as root (allow_root: false in the "
                                    "config); choose another user"});
  }
  for (const char c : handler.description) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      problems.push_back({"description", "the description contains a line break or control character; "
                                         "write it on one line"});
      break;
    }
  }
  return problems;
}

} // namespace eventmgr::manage
