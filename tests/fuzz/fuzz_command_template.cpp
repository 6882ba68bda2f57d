// SPDX-License-Identifier: MIT
// Parses arbitrary bytes as a handler command against a fixed event and, when it parses,
// renders it. Input: the command, then optionally NUL-separated params for %1..%N.
#include "tests/fuzz/fuzz_support.hpp"
#include "handlers/command_template.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using eventmgr::fuzzing::catalog;
using eventmgr::fuzzing::check;
using eventmgr::fuzzing::check_problem_lines;

using eventmgr::events::Event;
using eventmgr::events::EventDef;
using eventmgr::events::ParamDef;
using eventmgr::handlers::CommandTemplate;
using eventmgr::handlers::Handler;

EventDef make_def() {
  EventDef def;
  def.name = "client_create";
  def.key = "login_name";
  def.params = {
      ParamDef{"contact_name", "Contact name", false, false},
      ParamDef{"login_name", "Login name", true, false},
      ParamDef{"password", "Password", false, true},
  };
  return def;
}

Event make_event(const std::string& value) {
  Event event;
  event.name = "client_create";
  for (const char* name : {"contact_name", "login_name", "password"}) {
    event.new_values[name] = value;
    event.old_values[name] = value + "-old";
  }
  return event;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const EventDef def = make_def();
  static const Event plain = make_event("jdoe");
  static const Event hostile = make_event("a b\t'\"$(id)`;\n<new_login_name> %1 %% \\");

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Handler handler;
  handler.secrets = size % 2 == 1;
  const auto end = input.find('\0');
  handler.command = std::string(input.substr(0, end));
  if (end != std::string_view::npos) {
    std::string_view rest = input.substr(end + 1);
    while (!rest.empty() && handler.params.size() < 16) {
      const auto next = rest.find('\0');
      handler.params.emplace_back(rest.substr(0, next));
      rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    }
  }

  const auto parsed = CommandTemplate::parse(handler, def);
  if (!parsed) {
    check(!parsed.error().message.empty());
    return 0;
  }
  // Values never add, remove or split words, and the program is the absolute first word.
  const auto argv = parsed->render(plain);
  const auto argv_hostile = parsed->render(hostile);
  const auto redacted = parsed->render_redacted(hostile);
  check(!argv.empty());
  check(argv.size() == argv_hostile.size() && argv.size() == redacted.size());
  check(argv[0] == parsed->program() && argv_hostile[0] == parsed->program());
  check(parsed->program().front() == '/');
  // No secret is ever in argv (with or without --secrets), so there is nothing to redact.
  check(redacted == argv_hostile);
  return 0;
}
