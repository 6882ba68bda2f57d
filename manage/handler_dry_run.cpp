// SPDX-License-Identifier: MIT
#include "manage/handler_dry_run.hpp"

#include "common/program_access.hpp"
#include "common/text.hpp"
#include "common/users.hpp"
#include "handlers/run_plan.hpp"

#include <set>

namespace eventmgr::manage {
namespace {

std::string upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return text;
}

} // namespace

Result<events::Event> make_test_event(const events::EventDef& def, const std::vector<std::string>& values,
                                      std::vector<std::string>& notes) {
  events::Event event;
  event.name = def.name;
  event.source = "eventmgr handler test";
  std::string names;
  for (const auto& param : def.params) {
    event.old_values[param.name] = "";
    event.new_values[param.name] = "";
    names += (names.empty() ? "" : ", ") + param.name;
  }
  for (const std::string& item : values) {
    const std::size_t equals = item.find('=');
    const bool is_new = item.starts_with("new.");
    if ((!is_new && !item.starts_with("old.")) || equals == std::string::npos) {
      // Only the part before '=' is quoted: the value may be a secret.
      return make_error("invalid argument '" + escape_control(item.substr(0, equals)) +
                        (equals == std::string::npos ? "" : "=...") +
                        "': use new.KEY=VALUE or old.KEY=VALUE");
    }
    const std::string key = item.substr(4, equals - 4);
    if (def.find_param(key) == nullptr) {
      return make_error("unknown parameter '" + escape_control(key) + "' for event " + def.name +
                        "; valid: " + names);
    }
    std::string value = item.substr(equals + 1);
    if (value.size() > events::k_max_value) {
      return make_error("the value of " + item.substr(0, equals) + " is longer than 64 KiB");
    }
    (is_new ? event.new_values : event.old_values)[key] = std::move(value);
  }
  // As the daemon does (docs/PROTOCOL.md): a create event has no old values, a delete event no new ones.
  const bool create = def.kind == events::EventKind::create;
  if (create || def.kind == events::EventKind::remove) {
    for (auto& [key, value] : create ? event.old_values : event.new_values) {
      if (!value.empty()) {
        notes.push_back(def.name + " is a " + std::string(events::to_string(def.kind)) + " event; " +
                        (create ? "old." : "new.") + key + " is dropped, as the daemon would");
        value.clear();
      }
    }
  }
  return event;
}

std::vector<std::string> redact_environment(std::vector<std::string> env, const events::EventDef& def) {
  std::set<std::string> secret;
  for (const auto& param : def.params) {
    if (param.secret) {
      secret.insert("NEW_" + upper(param.name));
      secret.insert("OLD_" + upper(param.name));
    }
  }
  for (std::string& entry : env) {
    const std::string key = entry.substr(0, entry.find('='));
    if (secret.count(key) > 0 && entry.size() > key.size() + 1) {
      entry = key + "=***";
    }
  }
  return env;
}

DryRun dry_run(const handlers::Handler& handler, const events::EventDef& def,
               const handlers::CommandTemplate& command, const events::Event& event) {
  DryRun out;
  auto user = lookup_user(handler.user);
  out.argv = command.render_redacted(event);
  out.env = redact_environment(handlers::build_environment(event, def, handler, handler.user,
                                                           user ? user->home : std::string("/"),
                                                           user ? user->shell : std::string()),
                               def);
  if (handler.stdin_mode == handlers::StdinMode::json) {
    out.stdin_text = handlers::stdin_json(event, def, handler.secrets, true);
  }
  if (user) {
    out.unreachable = program_problems(command.program(), *user);
  }
  return out;
}

} // namespace eventmgr::manage
