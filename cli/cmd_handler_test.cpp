// SPDX-License-Identifier: MIT
// `eventmgr handler test ID [new.KEY=V]... [--run]`: what a handler would get, and one real run.
#include "cli/app.hpp"
#include "cli/handler_db.hpp"
#include "cli/table.hpp"
#include "common/clock.hpp"
#include "common/program_access.hpp"
#include "common/text.hpp"
#include "common/users.hpp"
#include "events/record.hpp"
#include "handlers/command_template.hpp"
#include "handlers/condition.hpp"
#include "handlers/launcher.hpp"
#include "handlers/run_log.hpp"
#include "handlers/run_plan.hpp"
#include "manage/handler_dry_run.hpp"

#include <boost/json.hpp>

#include <unistd.h>

#include <iostream>

namespace eventmgr::cli {
namespace {

namespace json = boost::json;
using handlers::Handler;

// Runs the handler once, as the daemon would: as its user when root, else as the caller.
handlers::RunOutcome run_once(const Handler& handler, const events::EventDef& def, const events::Event& event, const Config& config,
                              std::string& ran_as) {
  ran_as = handler.user;
  auto user = lookup_user(handler.user);
  if (!user) {
    return handlers::not_started(user.error().message);
  }
  UserInfo as = std::move(user.value());
  if (geteuid() != 0 && as.uid != geteuid()) {
    auto self = current_user();
    if (!self) {
      return handlers::not_started(self.error().message);
    }
    std::cerr << "eventmgr: note: not running as root, so the handler runs as " << self->name << ", not "
              << handler.user << "\n";
    as = std::move(self.value());
  }
  ran_as = as.name;
  auto plan = handlers::plan_run(handler, def, event, config, &as);
  if (!plan) {
    return handlers::not_started(plan.error().message);
  }
  return handlers::run_blocking(std::move(plan->spec));
}

// The run's result in the words of the run log: ok, exit, signal, timeout, not_started.
std::string_view result_name(handlers::RunStatus status) {
  switch (status) {
  case handlers::RunStatus::ok:
    return to_string(handlers::RunState::ok);
  case handlers::RunStatus::exit:
    return to_string(handlers::RunState::exit);
  case handlers::RunStatus::signal:
    return to_string(handlers::RunState::signal);
  case handlers::RunStatus::timeout:
    return to_string(handlers::RunState::timeout);
  case handlers::RunStatus::not_started:
    break;
  }
  return to_string(handlers::RunState::not_started);
}

void print_output(const char* name, const std::string& text, bool truncated) {
  if (text.empty()) {
    std::cout << name << ": (empty)\n";
    return;
  }
  std::cout << name << " (" << text.size() << " bytes" << (truncated ? ", truncated" : "") << "):\n";
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::cout << "  " << printable(line) << "\n";
  }
  if (!text.ends_with('\n')) {
    std::cout << "  [no newline at end]\n";
  }
  if (truncated) {
    std::cout << "  [output truncated at " << text.size() << " bytes]\n";
  }
}

struct TestOptions {
  std::int64_t id = 0;
  std::vector<std::string> values;
  bool run = false;
  bool force = false;
};

int test_handler(Context& context, const TestOptions& o) {
  auto db = open_handlers(context, Access::read);
  const Handler handler = get_handler(db.get(), o.id);
  db.reset(); // a long run must not hold the database open
  const events::EventDef* def = context.catalog().find(handler.event);
  if (def == nullptr) {
    throw CommandError{k_exit_failure, "handler " + std::to_string(handler.id) + ": event " + handler.event +
                                           " is no longer in the catalog"};
  }
  auto command = handlers::CommandTemplate::parse(handler, *def);
  if (!command) {
    throw CommandError{k_exit_failure, "handler " + std::to_string(handler.id) +
                                           " has an invalid command: " + command.error().message};
  }
  std::vector<std::string> notes;
  auto made = manage::make_test_event(*def, o.values, notes);
  if (!made) {
    throw CommandError{k_exit_usage, made.error().message};
  }
  for (const auto& note : notes) {
    std::cerr << "eventmgr: note: " << note << "\n";
  }
  const events::Event event = std::move(made.value());

  // What the handler would get, as the daemon builds it, secrets shown as ***; and what
  // `eventmgr check` would find: the daemon could not start this program as its user.
  const manage::DryRun dry = manage::dry_run(handler, *def, *command, event);
  const std::vector<std::string>& argv = dry.argv;
  const std::vector<std::string>& env = dry.env;
  const std::optional<std::string>& stdin_text = dry.stdin_text;
  const std::vector<std::string>& unreachable = dry.unreachable;
  for (const auto& problem : unreachable) {
    std::cerr << "eventmgr: problem: " << printable(problem) << "\n";
  }

  // The handler's condition, decided for these values as the daemon decides it when it plans
  // the event: nullopt when the handler has none.
  std::optional<bool> holds;
  if (!handler.condition.empty()) {
    auto condition = handlers::Condition::parse(handler.condition, *def);
    if (!condition) {
      throw CommandError{k_exit_failure, "handler " + std::to_string(handler.id) +
                                             " has an invalid condition: " + condition.error().message};
    }
    holds = condition->holds(event);
  }
  const bool skip = holds && !*holds;
  if (o.run && skip && !o.force) {
    if (!context.json) {
      std::cout << "if: " << printable(handler.condition)
                << ": does not hold: the handler would be skipped\n";
    }
    throw CommandError{k_exit_failure, "not run: its condition does not hold for these values, so the daemon "
                                       "would skip it; give --force to run it anyway"};
  }
  if (o.run && !unreachable.empty() && !o.force) {
    throw CommandError{k_exit_failure, "not run: the daemon could not start it either; fix that, or give --force "
                                       "to run it anyway"};
  }

  std::optional<handlers::RunOutcome> outcome;
  std::string ran_as;
  if (o.run) {
    outcome = run_once(handler, *def, event, context.config(), ran_as);
  }

  if (context.json) {
    json::object out{
        {"handler", handler.id},     {"event", handler.event},
        {"user", handler.user},      {"argv", json_strings(argv)},
        {"env", json_strings(env)}, {"stdin", stdin_text ? json::value(*stdin_text) : json::value(nullptr)}};
    out["if"] =
        handler.condition.empty() ? json::value(nullptr) : json::value(to_valid_utf8(handler.condition));
    out["holds"] = holds ? json::value(*holds) : json::value(nullptr);
    if (outcome) {
      const bool exited =
          outcome->status == handlers::RunStatus::ok || outcome->status == handlers::RunStatus::exit;
      const bool signalled =
          outcome->status == handlers::RunStatus::signal || outcome->status == handlers::RunStatus::timeout;
      out["run"] = json::object{
          {"user", ran_as},
          {"result", std::string(result_name(outcome->status))},
          {"description", handlers::describe_result(*outcome)},
          {"exit_code", exited ? json::value(outcome->exit_code) : json::value(nullptr)},
          {"signal", signalled && outcome->signal != 0 ? json::value(handlers::signal_name(outcome->signal))
                                                       : json::value(nullptr)},
          {"timed_out", outcome->timed_out},
          {"start_error", outcome->start_error},
          {"duration_ms", outcome->finished_ms - outcome->started_ms},
          {"stdout", outcome->out},
          {"stdout_truncated", outcome->out_truncated},
          {"stderr", outcome->err},
          {"stderr_truncated", outcome->err_truncated}};
    }
    std::cout << json_text(out) << "\n";
  } else {
    std::cout << "handler " << handler.id << ": " << handler.event << ", user " << printable(handler.user)
              << (handler.enabled ? "" : " (disabled)") << "\n";
    if (holds) {
      std::cout << "if: " << printable(handler.condition)
                << (*holds ? ": holds" : ": does not hold: the handler would be skipped") << "\n";
    }
    std::cout << "argv:\n";
    for (std::size_t i = 0; i < argv.size(); ++i) {
      std::cout << "  argv[" << i << "] = [" << printable(argv[i]) << "]\n";
    }
    std::cout << "environment:\n";
    for (const std::string& entry : env) {
      const std::size_t equals = entry.find('=');
      std::cout << "  " << entry.substr(0, equals) << " = [" << printable(entry.substr(equals + 1)) << "]\n";
    }
    if (stdin_text) {
      std::cout << "stdin (json):\n  " << printable(stdin_text->substr(0, stdin_text->size() - 1)) << "\n";
    } else {
      std::cout << "stdin: /dev/null\n";
    }
    if (outcome) {
      std::cout << "result: " << printable(handlers::describe_result(*outcome)) << " (as "
                << printable(ran_as) << ", " << format_duration(outcome->finished_ms - outcome->started_ms)
                << ")\n";
      print_output("stdout", outcome->out, outcome->out_truncated);
      print_output("stderr", outcome->err, outcome->err_truncated);
    }
  }
  if (outcome && outcome->status != handlers::RunStatus::ok) {
    return k_exit_failure;
  }
  // A dry run whose condition does not hold is still a successful answer (exit 0); only --run
  // refuses above.
  return unreachable.empty() || o.force ? k_exit_ok : k_exit_failure;
}

// ---- export / import ---------------------------------------------------------------------

} // namespace

void add_handler_test_command(CLI::App& group, Context& context) {
  auto* test =
      group.add_subcommand("test", "show the argv and environment a handler would get; --run runs it once");
  auto test_options = std::make_shared<TestOptions>();
  test->add_option("id", test_options->id, "handler id")->required();
  test->add_option("values", test_options->values, "event values: new.KEY=VALUE or old.KEY=VALUE");
  test->add_flag("--run", test_options->run,
                 "run the handler once (as its user when root) and show the result");
  test->add_flag("--force", test_options->force,
                 "run (or pass the dry run) even when the handler's user cannot run its program, or run it "
                 "with --run when its --if condition does not hold");
  set_action(test, [&context, test_options]() { return test_handler(context, *test_options); });
}

} // namespace eventmgr::cli
