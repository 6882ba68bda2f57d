// SPDX-License-Identifier: MIT
// `eventmgr events [NAME]`: the catalog and one event's parameter table.
#include "cli/app.hpp"
#include "cli/table.hpp"

#include <boost/json.hpp>

#include <iostream>

namespace eventmgr::cli {
namespace {

namespace json = boost::json;

int list_events(Context& context) {
  const auto& catalog = context.catalog();
  if (context.json) {
    json::array events;
    for (const auto& def : catalog.events()) {
      events.push_back(json::object{{"name", def.name},
                                    {"kind", std::string(events::to_string(def.kind))},
                                    {"group", def.group},
                                    {"key", def.key},
                                    {"description", def.description},
                                    {"builtin", def.builtin}});
    }
    std::cout << json_text(events) << "\n";
    return k_exit_ok;
  }
  Table table({"EVENT", "KIND", "DESCRIPTION"});
  for (const auto& def : catalog.events()) {
    table.add({def.name, std::string(events::to_string(def.kind)), def.description});
  }
  table.print(std::cout);
  return k_exit_ok;
}

int show_event(Context& context, const std::string& name) {
  const auto& catalog = context.catalog();
  const events::EventDef* def = catalog.find(name);
  if (def == nullptr) {
    throw CommandError{k_exit_usage, unknown_event_message(catalog, name)};
  }
  if (context.json) {
    json::array params;
    for (const auto& p : def->params) {
      params.push_back(json::object{{"name", p.name},
                                    {"label", p.label},
                                    {"old", "old_" + p.name},
                                    {"new", "new_" + p.name},
                                    {"required", p.required},
                                    {"secret", p.secret}});
    }
    json::object out{{"name", def->name},       {"kind", std::string(events::to_string(def->kind))},
                     {"group", def->group},     {"key", def->key},
                     {"description", def->description}, {"builtin", def->builtin},
                     {"origin", def->origin},   {"params", std::move(params)}};
    std::cout << json_text(out) << "\n";
    return k_exit_ok;
  }
  std::cout << printable(def->name) << ": " << printable(def->description) << "\n"
            << "group: " << printable(def->group) << ", kind: " << events::to_string(def->kind)
            << ", key: " << printable(def->key) << "\n\n";
  Table table({"LABEL", "OLD", "NEW", "REQUIRED", "SECRET"});
  for (const auto& p : def->params) {
    table.add({p.label, "old_" + p.name, "new_" + p.name, p.required ? "yes" : "", p.secret ? "yes" : ""});
  }
  table.print(std::cout);
  return k_exit_ok;
}

} // namespace

void add_events_commands(CLI::App& app, Context& context) {
  auto* events = app.add_subcommand("events", "list the event catalog, or show one event's parameters");
  auto name = std::make_shared<std::string>();
  events->add_option("name", *name, "an event name, e.g. client_create");
  set_action(events, [&context, name]() { return name->empty() ? list_events(context) : show_event(context, *name); });
}

} // namespace eventmgr::cli
