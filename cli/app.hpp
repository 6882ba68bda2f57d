// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"
#include "common/sqlite.hpp"
#include "events/database.hpp"
#include "events/catalog.hpp"
#include "manage/handler_check.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace eventmgr::cli {

using manage::unknown_event_message;

// Exit codes (README "Commands").
enum ExitCode : int { k_exit_ok = 0, k_exit_failure = 1, k_exit_usage = 2, k_exit_unreachable = 3 };

// An error that ends one CLI command with `code` after printing `message` to stderr.
struct CommandError {
  int code;
  std::string message;
};

// What every command shares: the global options and, loaded on first use, config and catalog.
class Context {
public:
  std::optional<std::string> config_file;
  std::optional<std::string> state_dir;
  bool json = false;

  // The loaded config; throws CommandError (exit 2) when it does not load.
  const Config& config();
  // The catalog (built-in plus the config's catalog dirs); throws CommandError on problems.
  const events::Catalog& catalog();
  // Opens the config's database for `purpose`; throws CommandError (exit 1) naming the problem.
  sqlite::Database database(events::OpenFor purpose);

private:
  std::optional<Config> m_config;
  std::optional<events::Catalog> m_catalog;
};

// `--since 2h` (relative to now) or an absolute time, as unix ms; CommandError (exit 2) naming
// the valid forms otherwise.
std::int64_t parse_since(const std::string& text);

// The command's action, run after parsing; returns the exit code.
using Action = std::function<int()>;

// Registers `sub`'s action: run() calls the action of the subcommand that was parsed.
void set_action(CLI::App* sub, Action action);

// Each command group adds its subcommands to `app`.
void add_events_commands(CLI::App& app, Context& context);
void add_handler_commands(CLI::App& app, Context& context);
// `handler test`, a subcommand of the `handler` group.
void add_handler_test_command(CLI::App& group, Context& context);
void add_submit_command(CLI::App& app, Context& context);
void add_log_commands(CLI::App& app, Context& context);
void add_received_command(CLI::App& app, Context& context);
void add_rejected_commands(CLI::App& app, Context& context);
void add_replay_command(CLI::App& app, Context& context);
void add_status_command(CLI::App& app, Context& context);
void add_check_command(CLI::App& app, Context& context);
void add_prune_command(CLI::App& app, Context& context);

// Parses the command line, runs the chosen command, returns the process exit code.
int run(int argc, char** argv);

} // namespace eventmgr::cli
