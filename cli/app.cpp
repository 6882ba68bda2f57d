// SPDX-License-Identifier: MIT
#include "cli/app.hpp"
#include "cli/table.hpp"

#include "common/clock.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>

namespace eventmgr::cli {
namespace {

std::map<const CLI::App*, Action>& actions() {
  static std::map<const CLI::App*, Action> table;
  return table;
}

// The deepest parsed subcommand: its action is the one to run.
const CLI::App* chosen(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) {
    return chosen(*sub);
  }
  return &app;
}

} // namespace

const Config& Context::config() {
  if (!m_config) {
    ConfigSources sources;
    if (config_file) {
      sources.config_file = *config_file;
    }
    if (state_dir) {
      sources.state_dir = *state_dir;
    }
    auto loaded = load_config(sources);
    if (!loaded) {
      throw CommandError{k_exit_usage, loaded.error().message};
    }
    m_config = std::move(loaded.value());
  }
  return *m_config;
}

const events::Catalog& Context::catalog() {
  if (!m_catalog) {
    auto loaded = events::Catalog::load(config().catalog_dirs);
    if (!loaded) {
      throw CommandError{k_exit_usage, "catalog problems:\n" + loaded.error().message};
    }
    m_catalog = std::move(loaded.value());
  }
  return *m_catalog;
}

sqlite::Database Context::database(events::OpenFor purpose) {
  auto db = events::open_database(config().database, purpose);
  if (!db) {
    throw CommandError{k_exit_failure, db.error().message};
  }
  return std::move(db.value());
}

std::int64_t parse_since(const std::string& text) {
  if (auto ago = parse_duration(text)) {
    return now_ms() - *ago;
  }
  if (auto at = parse_time(text)) {
    return *at;
  }
  throw CommandError{k_exit_usage, "--since '" + text +
                                     "': give a duration (90s, 15m, 2h, 7d) or a time (2026-11-25 10:00, "
                                     "2026-11-25T10:00:00Z)"};
}

void set_action(CLI::App* sub, Action action) { actions()[sub] = std::move(action); }

int run(int argc, char** argv) {
  Context context;
  CLI::App app{"eventmgr: register event handlers, submit events, and read what ran"};
  app.name("eventmgr");
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("eventmgr ") + EVENTMGR_VERSION);
  // Global options, accepted before or after the command (subcommands fall through to here).
  app.add_option("--config", context.config_file, "config file (default /etc/eventmgr/eventmgr.yaml if present)");
  app.add_option("--state-dir", context.state_dir, "state directory (database, pipe, pickup)");
  app.add_flag("--json", context.json, "machine-readable output: one JSON document");

  add_events_commands(app, context);
  add_handler_commands(app, context);
  add_submit_command(app, context);
  add_log_commands(app, context);
  add_received_command(app, context);
  add_rejected_commands(app, context);
  add_replay_command(app, context);
  add_status_command(app, context);
  add_check_command(app, context);
  add_prune_command(app, context);

  for (CLI::App* sub : app.get_subcommands({})) {
    sub->fallthrough();
    for (CLI::App* inner : sub->get_subcommands({})) {
      inner->fallthrough();
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? k_exit_ok : k_exit_usage;
  }

  try {
    auto action = actions().find(chosen(app));
    if (action == actions().end()) {
      std::cerr << "eventmgr: choose a command; see eventmgr --help\n";
      return k_exit_usage;
    }
    return action->second();
  } catch (const CommandError& e) {
    // Messages may quote a value or a name from outside; several lines stay several lines.
    std::cerr << "eventmgr: " << printable_lines(e.message) << "\n";
    return e.code;
  } catch (const std::filesystem::filesystem_error& e) {
    // Typically a user who may not read the state dir: say who may, not only the raw error.
    std::cerr << "eventmgr: cannot read " << printable(e.path1().string()) << ": " << printable(e.code().message());
    if (e.code() == std::errc::permission_denied && ::geteuid() != 0) {
      std::cerr << " (you are not root: the state dir and the database are readable by root and the daemon's "
                   "user only; members of its pipe_group may run eventmgr status and submit)";
    }
    std::cerr << "\n";
    return k_exit_failure;
  } catch (const std::exception& e) {
    std::cerr << "eventmgr: " << printable_lines(e.what()) << "\n";
    return k_exit_failure;
  }
}

} // namespace eventmgr::cli
