// SPDX-License-Identifier: MIT
// `eventmgr handler ...`: register, list, change, test, export and import event handlers.
#include "cli/app.hpp"
#include "cli/handler_db.hpp"
#include "cli/table.hpp"
#include "common/clock.hpp"
#include "common/users.hpp"
#include "events/database.hpp"
#include "handlers/command_template.hpp"
#include "handlers/handler_store.hpp"
#include "manage/dead_letters.hpp"
#include "manage/handler_edit.hpp"
#include "manage/handler_io.hpp"

#include <boost/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <set>
#include <sstream>

namespace eventmgr::cli {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using handlers::Handler;

json::object handler_json(const Handler& handler) {
  return json::object{{"id", handler.id},
                      {"event", handler.event},
                      {"priority", handler.priority},
                      {"user", handler.user},
                      {"command", handler.command},
                      {"params", json_strings(handler.params)},
                      {"timeout", handler.timeout},
                      {"enabled", handler.enabled},
                      {"stdin", std::string(handlers::to_string(handler.stdin_mode))},
                      {"secrets", handler.secrets},
                      {"description", handler.description},
                      {"if", handler.condition.empty() ? json::value(nullptr) : json::value(handler.condition)},
                      {"concurrency", handler.concurrency},
                      {"created_at", format_rfc3339(handler.created_at)},
                      {"updated_at", format_rfc3339(handler.updated_at)},
                      // null: the config's default
                      {"retries", handler.retries ? json::value(*handler.retries) : json::value(nullptr)},
                      {"retry_on", handler.retry_on ? json::value(std::string(to_string(*handler.retry_on)))
                                                    : json::value(nullptr)},
                      {"retry_delays", handler.retry_delays
                                           ? json::value(format_retry_delays(*handler.retry_delays))
                                           : json::value(nullptr)}};
}

// "5 (default)": a retry setting as show prints it, the config's default when unset.
template <typename T>
std::string retry_setting(const std::optional<T>& own, const std::string& fallback, const std::string& text) {
  return own ? text : fallback + " (default)";
}

// ---- add / update ------------------------------------------------------------------------

// The options of `add`, also those of `update`, where only the given ones change the handler.
struct HandlerOptions {
  std::string event, command, priority, user, timeout, stdin_mode, description, condition, concurrency;
  std::string retries, retry_on, retry_delays;
  bool no_condition = false; // update only
  std::vector<std::string> params;
  bool retry_dead = false; // update only: queue the handler's dead letters again
  bool secrets = false;
  bool disable = false;
  bool enable = false;    // update only
  bool no_params = false; // update only
  bool literal = false;   // shell syntax in the command is meant as plain arguments
  bool force = false;     // register a handler whose program its user cannot run, with a warning
  std::vector<CLI::Option*> all;
  CLI::Option *o_event = nullptr, *o_command = nullptr, *o_priority = nullptr, *o_user = nullptr,
              *o_params = nullptr, *o_timeout = nullptr, *o_stdin = nullptr, *o_secrets = nullptr,
              *o_description = nullptr, *o_disable = nullptr, *o_enable = nullptr, *o_no_params = nullptr,
              *o_retries = nullptr, *o_retry_on = nullptr, *o_retry_delays = nullptr, *o_retry_dead = nullptr,
              *o_condition = nullptr, *o_no_condition = nullptr, *o_concurrency = nullptr;

  bool given(const CLI::Option* option) const { return option != nullptr && option->count() > 0; }
};

enum class Purpose { add, update };

void add_handler_options(CLI::App* sub, HandlerOptions& o, Purpose purpose) {
  o.o_event =
      sub->add_option("--event", o.event, "the event, e.g. client_create (eventmgr events lists them)")
          ->type_name("EVENT");
  o.o_command =
      sub->add_option("--command", o.command,
                      "absolute program path and arguments, with <new_x>/<old_x> and %1..%N placeholders")
          ->type_name("CMD");
  o.o_priority =
      sub->add_option("--priority", o.priority,
                      "lowest (0), low (25), normal (50, default), high (75), highest (100) or 0..1000000; "
                      "higher runs first")
          ->type_name("N|PRESET");
  o.o_user =
      sub->add_option("--user", o.user, "system user the handler runs as (default: default_user, nobody)")
          ->type_name("USER");
  o.o_params = sub->add_option("--param", o.params, "parameter for %1, %2, ... in order (repeat the option)")
                   ->allow_extra_args(false)
                   ->type_name("NAME");
  o.o_timeout = sub->add_option("--timeout", o.timeout, "seconds 1..86400 (default: default_timeout, 60)")
                    ->type_name("SECONDS");
  o.o_stdin =
      sub->add_option("--stdin", o.stdin_mode, "none (default: /dev/null) or json (the event as JSON)")
          ->type_name("none|json");
  o.o_description = sub->add_option("--description", o.description, "a note for people");
  o.o_retries =
      sub->add_option("--retries", o.retries,
                      "retries of a failed run 0..100 (0: never), or default (the config's retries, 5)")
          ->type_name("N");
  o.o_retry_on = sub->add_option("--retry-on", o.retry_on,
                                 "tempfail (exit 75, time-out, signal, not started; the default) or failure "
                                 "(any failure), or default")
                     ->type_name("tempfail|failure");
  o.o_retry_delays = sub->add_option("--retry-delays", o.retry_delays,
                                     "delays before each retry, the last repeating, e.g. 10s,1m,5m,30m,2h "
                                     "(+-10 % jitter), or default")
                         ->type_name("LIST");
  o.o_condition = sub->add_option("--if", o.condition,
                                  "run only when EXPR holds, e.g. 'new.status == \"16\" && changed(domain_name)' "
                                  "(==, !=, =~ regex, changed(NAME), empty(new.NAME), &&, ||, !, parentheses)")
                      ->type_name("EXPR");
  o.o_concurrency = sub->add_option("--concurrency", o.concurrency,
                                    "at most N runs of this handler at once across workers (default 0: no limit)")
                        ->type_name("N");
  sub->add_flag("--literal", o.literal,
                "accept words of the command that a shell would read as syntax (>>, |, &&, ;, $VAR, $(...)): "
                "no shell runs the command, so the program gets them as plain arguments");
  sub->add_flag("--force", o.force,
                "register even when the handler's user cannot run its program (a missing program, a "
                "directory it cannot search); a warning instead of a refusal");
  if (purpose == Purpose::add) {
    o.o_event->required();
    o.o_command->required();
    o.o_secrets = sub->add_flag("--secrets", o.secrets,
                                "pass secret parameters (passwords) as NEW_X/OLD_X and in --stdin json; "
                                "never in the command");
    o.o_disable = sub->add_flag("--disabled", o.disable, "register the handler disabled");
  } else {
    o.o_secrets =
        sub->add_flag("--secrets,!--no-secrets", o.secrets,
                      "pass secret parameters in the environment and --stdin json, or stop passing them");
    o.o_no_params = sub->add_flag("--no-params", o.no_params, "remove every --param")->excludes(o.o_params);
    o.o_no_condition = sub->add_flag("--no-if", o.no_condition, "remove the --if condition")->excludes(o.o_condition);
    o.o_enable = sub->add_flag("--enable", o.enable, "enable the handler");
    o.o_disable =
        sub->add_flag("--disable,--disabled", o.disable, "disable the handler")->excludes(o.o_enable);
    o.o_retry_dead = sub->add_flag("--retry-dead", o.retry_dead,
                                   "after the change, run the handler's dead letters again (eventmgr dead)");
  }
  o.all = {o.o_event,     o.o_command,      o.o_priority,    o.o_user,        o.o_params,
           o.o_timeout,   o.o_stdin,        o.o_secrets,     o.o_description, o.o_disable,
           o.o_enable,    o.o_no_params,    o.o_retries,     o.o_retry_on,    o.o_retry_delays,
           o.o_condition, o.o_no_condition, o.o_concurrency};
}

// The given options as a change of the handler's fields.
manage::HandlerChange change_of(const HandlerOptions& o) {
  manage::HandlerChange change;
  auto take = [&o](const CLI::Option* option, const std::string& value, std::optional<std::string>& field) {
    if (o.given(option)) {
      field = value;
    }
  };
  take(o.o_event, o.event, change.event);
  take(o.o_command, o.command, change.command);
  take(o.o_priority, o.priority, change.priority);
  take(o.o_user, o.user, change.user);
  take(o.o_timeout, o.timeout, change.timeout);
  take(o.o_stdin, o.stdin_mode, change.stdin_mode);
  take(o.o_description, o.description, change.description);
  take(o.o_retries, o.retries, change.retries);
  take(o.o_retry_on, o.retry_on, change.retry_on);
  take(o.o_retry_delays, o.retry_delays, change.retry_delays);
  take(o.o_condition, o.condition, change.condition);
  take(o.o_concurrency, o.concurrency, change.concurrency);
  if (o.given(o.o_no_condition)) {
    change.condition = std::string();
  }
  if (o.given(o.o_params)) {
    change.params = o.params;
  }
  if (o.given(o.o_no_params)) {
    change.params = std::vector<std::string>{};
  }
  if (o.given(o.o_secrets)) {
    change.secrets = o.secrets;
  }
  if (o.given(o.o_enable)) {
    change.enabled = true;
  }
  if (o.given(o.o_disable)) {
    change.enabled = false;
  }
  return change;
}

manage::EditPolicy policy_of(const HandlerOptions& o) {
  return {o.literal ? manage::ShellWords::literal : manage::ShellWords::refuse,
          o.force ? manage::Unreachable::warn : manage::Unreachable::refuse};
}

// Prints the warnings of an edit, or refuses it (exit 2) with every problem at once.
void report_or_refuse(const manage::Edited& edited) {
  for (const auto& warning : edited.warnings) {
    std::cerr << "eventmgr: warning: " << printable(warning) << " (registered anyway: --force)\n";
  }
  if (edited.refusal == manage::Refusal::none) {
    return;
  }
  // One problem on one line; several (a command can have many) as an indented list.
  std::vector<std::string> lines;
  for (const auto& problem : edited.problems) {
    std::istringstream split(problem.message);
    for (std::string line; std::getline(split, line);) {
      lines.push_back(line);
    }
  }
  if (edited.refusal == manage::Refusal::unreachable) {
    throw CommandError{k_exit_usage,
                       join(lines, "\n") +
                           "\nfix that, or give --force to register the handler anyway (eventmgr "
                           "check will report it)"};
  }
  if (lines.size() == 1) {
    throw CommandError{k_exit_usage, lines.front()};
  }
  throw CommandError{k_exit_usage, "the handler is refused:\n  " + join(lines, "\n  ")};
}

int add_handler(Context& context, const HandlerOptions& o) {
  // Vetted before the database is opened for writing: a refused handler creates no state dir.
  manage::Edited added = manage::vet_change(manage::new_handler(context.config()), change_of(o),
                                            context.catalog(), context.config(), policy_of(o));
  report_or_refuse(added);
  auto db = open_handlers(context, Access::write);
  added.handler.id = db->store().add(added.handler);
  if (context.json) {
    std::cout << json_text(json::object{{"id", added.handler.id}}) << "\n";
  } else {
    std::cout << added.handler.id << "\n";
  }
  return k_exit_ok;
}

int update_handler(Context& context, const HandlerOptions& o, std::int64_t id) {
  const manage::HandlerChange change = change_of(o);
  if (change.empty() && !o.retry_dead) {
    throw CommandError{k_exit_usage,
                       "nothing to change: give at least one option (eventmgr handler update --help)"};
  }
  auto db = open_handlers(context, Access::read);
  if (db == nullptr) {
    throw CommandError{k_exit_usage, no_handler_message(id)};
  }
  if (!change.empty()) {
    manage::Edited updated =
        manage::update_handler(db->store(), id, change, context.catalog(), context.config(), policy_of(o));
    if (updated.refusal == manage::Refusal::not_found) {
      throw CommandError{k_exit_usage, no_handler_message(id)};
    }
    report_or_refuse(updated);
  } else {
    get_handler(db.get(), id); // refuses an unknown id
  }
  handlers::DeliveryFilter mine;
  mine.handler_id = id;
  std::size_t retried = 0;
  std::size_t dead = 0;
  if (o.retry_dead) {
    retried = manage::retry_dead(db->database(), mine).changed.size();
  } else if (change.command) {
    dead = manage::list_dead(db->database(), mine).size(); // offered below
  }
  if (context.json) {
    json::object out = handler_json(get_handler(db.get(), id));
    if (o.retry_dead) {
      out["dead_letters_retried"] = retried;
    } else if (change.command) {
      out["dead_letters"] = dead;
    }
    std::cout << json_text(out) << "\n";
  } else {
    if (!change.empty()) {
      std::cout << "updated handler " << id << "\n";
    }
    if (o.retry_dead) {
      std::cout << retried << " dead letter" << (retried == 1 ? "" : "s") << " of handler " << id
                << " queued to run again\n";
    } else if (dead > 0) {
      std::cout << "handler " << id << " has " << dead << " dead letter" << (dead == 1 ? "" : "s")
                << "; eventmgr dead retry --handler " << id << " runs them with the new command\n";
    }
  }
  return k_exit_ok;
}

// ---- list / show / remove / enable / disable ---------------------------------------------

int list_handlers(Context& context, const std::string& event) {
  auto db = open_handlers(context, Access::read);
  std::optional<std::string> filter;
  if (!event.empty()) {
    filter = event;
  }
  std::vector<Handler> found = db != nullptr ? db->store().list(filter) : std::vector<Handler>{};
  // Handlers of an event since removed from the catalog still list; only a typo is refused.
  if (filter && found.empty() && context.catalog().find(event) == nullptr) {
    throw CommandError{k_exit_usage, unknown_event_message(context.catalog(), event)};
  }
  if (context.json) {
    json::array out;
    for (const Handler& handler : found) {
      out.push_back(handler_json(handler));
    }
    std::cout << json_text(out) << "\n";
    return k_exit_ok;
  }
  if (found.empty()) {
    std::cerr << "no handlers" << (filter ? " for " + event : std::string())
              << "; eventmgr handler add registers one\n";
    return k_exit_ok;
  }
  Table table({"ID", "EVENT", "PRIO", "USER", "ENABLED", "COMMAND"});
  for (const Handler& handler : found) {
    table.add({std::to_string(handler.id), handler.event, std::to_string(handler.priority),
               printable(handler.user), handler.enabled ? "yes" : "no", printable(handler.command)});
  }
  table.print(std::cout);
  return k_exit_ok;
}

int show_handler(Context& context, std::int64_t id) {
  auto db = open_handlers(context, Access::read);
  const Handler handler = get_handler(db.get(), id);
  if (context.json) {
    std::cout << json_text(handler_json(handler)) << "\n";
    return k_exit_ok;
  }
  std::cout << "id: " << handler.id << "\n"
            << "event: " << handler.event << "\n"
            << "priority: " << handler.priority << "\n"
            << "user: " << printable(handler.user) << "\n"
            << "command: " << printable(handler.command) << "\n"
            << "params: " << (handler.params.empty() ? "(none)" : printable(join(handler.params, " ")))
            << "\n"
            << "timeout: " << handler.timeout << "\n"
            << "enabled: " << (handler.enabled ? "yes" : "no") << "\n"
            << "stdin: " << handlers::to_string(handler.stdin_mode) << "\n"
            << "secrets: " << (handler.secrets ? "yes" : "no") << "\n"
            << "description: " << printable(handler.description) << "\n"
            << "retries: "
            << retry_setting(handler.retries, std::to_string(context.config().retry.retries),
                             std::to_string(handler.retries.value_or(0)))
            << "\n"
            << "retry_on: "
            << retry_setting(handler.retry_on, std::string(to_string(context.config().retry.retry_on)),
                             std::string(to_string(handler.retry_on.value_or(RetryOn::tempfail))))
            << "\n"
            << "retry_delays: "
            << retry_setting(handler.retry_delays, format_retry_delays(context.config().retry.delays_ms),
                             format_retry_delays(handler.retry_delays.value_or(std::vector<std::int64_t>{})))
            << "\n"
            << "if: " << (handler.condition.empty() ? "(always)" : printable(handler.condition)) << "\n"
            << "concurrency: "
            << (handler.concurrency == 0 ? std::string("no limit") : std::to_string(handler.concurrency)) << "\n"
            << "created_at: " << format_local_time(handler.created_at) << "\n"
            << "updated_at: " << format_local_time(handler.updated_at) << "\n";
  return k_exit_ok;
}

enum class Change { remove, enable, disable };

// Applies `change` to each id; an unknown id is reported and the others still change.
int change_each(Context& context, const std::vector<std::int64_t>& ids, Change change) {
  auto db = open_handlers(context, Access::read);
  const char* done_word = change == Change::remove   ? "removed"
                          : change == Change::enable ? "enabled"
                                                     : "disabled";
  json::array done;
  json::array unknown;
  for (const std::int64_t id : ids) {
    bool ok = false;
    if (db != nullptr) {
      ok = change == Change::remove ? db->store().remove(id)
                                    : db->store().set_enabled(id, change == Change::enable);
    }
    if (ok) {
      done.push_back(id);
      if (!context.json) {
        std::cout << done_word << " handler " << id << "\n";
      }
    } else {
      unknown.push_back(id);
      std::cerr << "eventmgr: " << no_handler_message(id) << "\n";
    }
  }
  if (context.json) {
    std::cout << json_text(json::object{{done_word, std::move(done)}, {"unknown", unknown}}) << "\n";
  }
  return unknown.empty() ? k_exit_ok : k_exit_usage;
}

int export_handlers(Context& context, const std::string& file) {
  auto db = open_handlers(context, Access::read);
  const std::vector<Handler> all = db != nullptr ? db->store().list() : std::vector<Handler>{};
  const std::string text = manage::export_yaml(all);
  if (file.empty() || file == "-") {
    std::cout << text;
    return k_exit_ok;
  }
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    throw CommandError{k_exit_failure, "cannot write " + file + ": " + std::strerror(errno)};
  }
  if (context.json) {
    std::cout << json_text(json::object{{"exported", all.size()}, {"file", file}}) << "\n";
  } else {
    std::cout << "exported " << all.size() << (all.size() == 1 ? " handler" : " handlers") << " to " << file
              << "\n";
  }
  return k_exit_ok;
}

int import_handlers(Context& context, const std::string& file, bool replace) {
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      throw CommandError{k_exit_usage, "cannot read " + file + ": " + std::strerror(errno)};
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // Every handler is checked before anything is stored: a file imports whole or not at all.
  auto parsed =
      manage::import_yaml(text, file == "-" ? "<stdin>" : file, context.catalog(), context.config());
  if (!parsed) {
    throw CommandError{k_exit_usage, "nothing imported; problems:\n" + parsed.error().message};
  }
  auto db = open_handlers(context, Access::write);
  std::vector<std::int64_t> ids;
  std::size_t unchanged = 0;
  if (replace) {
    auto replaced = db->store().replace_all(*parsed);
    if (!replaced) {
      throw CommandError{k_exit_usage, replaced.error().message};
    }
    ids = std::move(replaced.value());
  } else {
    // Importing an export twice must not make each event run its handlers twice: a handler
    // already registered with the same definition is left out (each registered one matches
    // at most one of the file's, so a file that lists a handler twice still adds the second).
    std::vector<handlers::Handler> registered = db->store().list();
    std::vector<bool> matched(registered.size(), false);
    std::vector<handlers::Handler> fresh;
    for (const auto& handler : *parsed) {
      bool present = false;
      for (std::size_t i = 0; i < registered.size() && !present; ++i) {
        if (!matched[i] && handlers::same_definition(registered[i], handler)) {
          matched[i] = true;
          present = true;
        }
      }
      if (present) {
        ++unchanged;
      } else {
        fresh.push_back(handler);
      }
    }
    ids = db->store().add_all(fresh);
  }
  if (context.json) {
    json::array id_array;
    for (const std::int64_t id : ids) {
      id_array.push_back(id);
    }
    std::cout << json_text(json::object{{"imported", ids.size()},
                                        {"replaced", replace},
                                        {"ids", id_array},
                                        {"already_present", unchanged}})
              << "\n";
  } else {
    std::cout << "imported " << ids.size() << (ids.size() == 1 ? " handler" : " handlers")
              << (replace ? ", replacing all others" : "");
    if (unchanged > 0) {
      std::cout << "; " << unchanged << (unchanged == 1 ? " was" : " were")
                << " already registered with the same definition and left as is";
    }
    std::cout << "\n";
  }
  return k_exit_ok;
}

} // namespace

void add_handler_commands(CLI::App& app, Context& context) {
  auto* group =
      app.add_subcommand("handler", "register, list, change, test, export and import event handlers");
  group->require_subcommand(1);

  auto* add = group->add_subcommand("add", "register a handler; prints its id");
  auto add_options = std::make_shared<HandlerOptions>();
  add_handler_options(add, *add_options, Purpose::add);
  set_action(add, [&context, add_options]() { return add_handler(context, *add_options); });

  auto* list = group->add_subcommand("list", "handlers by event, in execution order (priority, then id)");
  auto list_event = std::make_shared<std::string>();
  list->add_option("--event", *list_event, "only the handlers of this event");
  set_action(list, [&context, list_event]() { return list_handlers(context, *list_event); });

  auto* show = group->add_subcommand("show", "every field of one handler");
  auto show_id = std::make_shared<std::int64_t>(0);
  show->add_option("id", *show_id, "handler id")->required();
  set_action(show, [&context, show_id]() { return show_handler(context, *show_id); });

  auto* update = group->add_subcommand("update", "change the given fields of a handler");
  auto update_options = std::make_shared<HandlerOptions>();
  auto update_id = std::make_shared<std::int64_t>(0);
  update->add_option("id", *update_id, "handler id")->required();
  add_handler_options(update, *update_options, Purpose::update);
  set_action(update, [&context, update_options, update_id]() {
    return update_handler(context, *update_options, *update_id);
  });

  const std::pair<const char*, Change> changes[] = {
      {"remove", Change::remove}, {"enable", Change::enable}, {"disable", Change::disable}};
  for (const auto& [name, change] : changes) {
    auto* sub = group->add_subcommand(name, std::string(name) + " handlers");
    auto ids = std::make_shared<std::vector<std::int64_t>>();
    sub->add_option("ids", *ids, "handler ids")->required();
    set_action(sub, [&context, ids, what = change]() { return change_each(context, *ids, what); });
  }

  add_handler_test_command(*group, context);

  auto* exporter = group->add_subcommand("export", "write every handler as YAML");
  auto export_file = std::make_shared<std::string>();
  exporter->add_option("--file", *export_file, "write to this file instead of stdout");
  set_action(exporter, [&context, export_file]() { return export_handlers(context, *export_file); });

  auto* importer = group->add_subcommand("import", "add the handlers of a YAML export (all or none)");
  auto import_file = std::make_shared<std::string>();
  auto import_replace = std::make_shared<bool>(false);
  importer->add_option("file", *import_file, "the YAML file, or - for stdin")->required();
  importer->add_flag("--replace", *import_replace,
                     "replace every handler, keeping the file's ids (without it, handlers already registered "
                     "with the same definition are left out)");
  set_action(importer, [&context, import_file, import_replace]() {
    return import_handlers(context, *import_file, *import_replace);
  });
}

} // namespace eventmgr::cli
