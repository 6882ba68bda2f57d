// SPDX-License-Identifier: MIT
// `eventmgr events [NAME]`: the catalog and one event's parameter table, each event and
// parameter with the catalogs that define it and whether they are sure of it.
#include "cli/app.hpp"
#include "cli/table.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <iostream>

namespace eventmgr::cli {
namespace {

namespace json = boost::json;

struct EventsOptions {
  std::string name;
  std::string catalog;     // --catalog: only events this catalog defines
  bool unverified = false; // --unverified: only events no catalog is sure of
};

std::vector<std::string> catalogs_of(const events::EventDef& def) {
  std::vector<std::string> names;
  for (const auto& source : def.sources) {
    names.push_back(source.catalog);
  }
  return names;
}

std::string yes_no(bool value) {
  return value ? "yes" : "no";
}

bool selected(const events::EventDef& def, const EventsOptions& options) {
  if (options.unverified && def.verified) {
    return false;
  }
  if (options.catalog.empty()) {
    return true;
  }
  return std::any_of(def.sources.begin(), def.sources.end(), [&options](const events::EventSource& source) {
    return source.catalog == options.catalog;
  });
}

// --catalog must name a catalog that is loaded: a typo must not look like an empty catalog.
void check_catalog_option(const events::Catalog& catalog, const EventsOptions& options) {
  if (options.catalog.empty()) {
    return;
  }
  std::vector<std::string> loaded;
  for (const auto& def : catalog.events()) {
    for (const auto& source : def.sources) {
      if (std::find(loaded.begin(), loaded.end(), source.catalog) == loaded.end()) {
        loaded.push_back(source.catalog);
      }
    }
  }
  if (std::find(loaded.begin(), loaded.end(), options.catalog) == loaded.end()) {
    throw CommandError{k_exit_usage, "--catalog: no loaded catalog is named '" + printable(options.catalog) +
                                         "'; loaded: " + join(loaded, ", ")};
  }
}

int list_events(Context& context, const EventsOptions& options) {
  const auto& catalog = context.catalog();
  check_catalog_option(catalog, options);
  if (context.json) {
    json::array events;
    for (const auto& def : catalog.events()) {
      if (!selected(def, options)) {
        continue;
      }
      events.push_back(json::object{{"name", def.name},
                                    {"kind", std::string(events::to_string(def.kind))},
                                    {"group", def.group},
                                    {"key", def.key},
                                    {"description", def.description},
                                    {"builtin", def.builtin},
                                    {"catalogs", json_strings(catalogs_of(def))},
                                    {"verified", def.verified}});
    }
    std::cout << json_text(events) << "\n";
    return k_exit_ok;
  }
  Table table({"EVENT", "KIND", "CATALOG", "VERIFIED", "DESCRIPTION"});
  for (const auto& def : catalog.events()) {
    if (selected(def, options)) {
      table.add({def.name, std::string(events::to_string(def.kind)), join(catalogs_of(def), "+"),
                 yes_no(def.verified), def.description});
    }
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
      const auto source = def->param_source(p.name);
      params.push_back(json::object{{"name", p.name},
                                    {"label", p.label},
                                    {"old", "old_" + p.name},
                                    {"new", "new_" + p.name},
                                    {"required", p.required},
                                    {"secret", p.secret},
                                    {"catalogs", json_strings(source.catalogs)},
                                    {"verified", source.verified}});
    }
    json::array sources;
    for (const auto& source : def->sources) {
      sources.push_back(json::object{{"catalog", source.catalog},
                                     {"description", source.description},
                                     {"origin", source.origin},
                                     {"verified", source.verified}});
    }
    json::object out{{"name", def->name},
                     {"kind", std::string(events::to_string(def->kind))},
                     {"group", def->group},
                     {"key", def->key},
                     {"description", def->description},
                     {"builtin", def->builtin},
                     {"origin", def->origin},
                     {"catalogs", json_strings(catalogs_of(*def))},
                     {"verified", def->verified},
                     {"sources", std::move(sources)},
                     {"params", std::move(params)}};
    std::cout << json_text(out) << "\n";
    return k_exit_ok;
  }
  std::cout << printable(def->name) << ": " << printable(def->description) << "\n"
            << "group: " << printable(def->group) << ", kind: " << events::to_string(def->kind) << ", key: "
            << (def->key.empty() ? std::string("(none: not ordered by object)") : printable(def->key))
            << "\n\n";
  Table sources({"CATALOG", "VERIFIED", "DEFINED AT", "TITLE"});
  for (const auto& source : def->sources) {
    sources.add({source.catalog, yes_no(source.verified), source.origin, source.description});
  }
  sources.print(std::cout);
  std::cout << "\n";
  if (def->params.empty()) {
    std::cout << "no parameters known\n";
    return k_exit_ok;
  }
  Table table({"LABEL", "OLD", "NEW", "REQUIRED", "SECRET", "FROM", "VERIFIED"});
  for (const auto& p : def->params) {
    const auto source = def->param_source(p.name);
    table.add({p.label, "old_" + p.name, "new_" + p.name, p.required ? "yes" : "", p.secret ? "yes" : "",
               join(source.catalogs, "+"), yes_no(source.verified)});
  }
  table.print(std::cout);
  return k_exit_ok;
}

} // namespace

void add_events_commands(CLI::App& app, Context& context) {
  auto options = std::make_shared<EventsOptions>();
  auto* events = app.add_subcommand("events", "list the event catalog, or show one event's parameters");
  events->add_option("name", options->name, "an event name, e.g. client_create");
  events->add_option(
      "--catalog", options->catalog,
      "only the events this catalog defines: seed, plesk-obsidian, or an extra catalog's file name");
  events->add_flag("--unverified", options->unverified,
                   "only the events no catalog is sure of (name or parameters not confirmed)");
  set_action(events, [&context, options]() {
    return options->name.empty() ? list_events(context, *options) : show_event(context, options->name);
  });
}

} // namespace eventmgr::cli
