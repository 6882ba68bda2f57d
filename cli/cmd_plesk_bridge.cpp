// SPDX-License-Identifier: MIT
// `eventmgr plesk-bridge install|uninstall|status`: registers, with a real Plesk's own
// `plesk bin event_handler`, handlers that pass each Plesk event on to eventmgr
// (`eventmgr submit --from-env EVENT`), and finds them again by parsing `--list`.
#include "cli/app.hpp"
#include "cli/plesk_handler_list.hpp"
#include "cli/table.hpp"

#include <boost/json.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>

extern char** environ;

namespace eventmgr::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct BridgeOptions {
  std::string plesk; // the host's `plesk` program; empty: found on PATH
  std::string events = "all";
  std::string priority = "50";
  std::string user = "root";
};

struct Ran {
  int status = 0; // exit status, or 128 + signal
  std::string out;
};

// Runs `argv` without a shell; stdout is captured when `capture`, stderr passes through.
Ran run_program(const std::vector<std::string>& argv, bool capture) {
  int pipe_fds[2] = {-1, -1};
  if (capture && ::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    throw CommandError{k_exit_failure, std::string("cannot create a pipe: ") + std::strerror(errno)};
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (capture) {
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, argv.front().c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (capture) {
    ::close(pipe_fds[1]);
  }
  if (rc != 0) {
    if (capture) {
      ::close(pipe_fds[0]);
    }
    throw CommandError{k_exit_failure, "cannot run " + printable(argv.front()) + ": " + std::strerror(rc)};
  }
  Ran ran;
  if (capture) {
    char buffer[8192];
    for (;;) {
      const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
      if (n > 0) {
        ran.out.append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        break;
      }
    }
    ::close(pipe_fds[0]);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ran.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return ran;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) {
      items.push_back(item);
    }
  }
  return items;
}

// The host's `plesk`: --plesk, else the first executable `plesk` on PATH.
std::string find_plesk(const BridgeOptions& o) {
  if (!o.plesk.empty()) {
    return o.plesk;
  }
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path
                                          : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / "plesk";
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  throw CommandError{
      k_exit_failure,
      "cannot find Plesk's plesk command on PATH; is this a Plesk server? (give --plesk PROGRAM)"};
}

std::vector<std::string> event_handler(const std::string& plesk, std::vector<std::string> args) {
  args.insert(args.begin(), {plesk, "bin", "event_handler"});
  return args;
}

// The bridge's handlers on the host, from `plesk bin event_handler --list`.
std::vector<PleskHandler> bridged_handlers(const std::string& plesk) {
  Ran listed = run_program(event_handler(plesk, {"--list"}), true);
  if (listed.status != 0) {
    throw CommandError{k_exit_failure, printable(plesk) +
                                           " bin event_handler --list failed with exit status " +
                                           std::to_string(listed.status)};
  }
  std::vector<PleskHandler> ours;
  for (PleskHandler& handler : parse_plesk_handler_list(listed.out)) {
    if (!bridged_event(handler.command).empty()) {
      ours.push_back(std::move(handler));
    }
  }
  return ours;
}

// A word of the bridge's command, quoted for the panel only when it must be.
std::string command_word(const std::string& word) {
  const bool plain =
      !word.empty() && word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                              "0123456789_/.,:+=@-") == std::string::npos;
  if (plain) {
    return word;
  }
  std::string quoted = "'";
  for (const char c : word) {
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return quoted + "'";
}

// `eventmgr [--config F] [--state-dir D] submit --from-env EVENT`, with this eventmgr's full
// path and the config and state dir this command was told about, since Plesk runs the handler
// without this shell's environment.
std::string bridge_command(Context& context, const std::string& event) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    throw CommandError{k_exit_failure, "cannot find this eventmgr's path: " + ec.message()};
  }
  // The bridge finds its handlers again by the command's first word: it must stay one word.
  if (command_word(self.string()) != self.string()) {
    throw CommandError{k_exit_failure,
                       "cannot bridge: this eventmgr's path " + printable(self.string()) +
                           " has blanks or quotes, which Plesk's --list would not show as one word"};
  }
  std::string command = self.string();
  if (context.config_file) {
    command += " --config " + command_word(fs::absolute(*context.config_file).string());
  }
  const char* env_state = std::getenv("EVENTMGR_STATE_DIR");
  if (context.state_dir || (env_state != nullptr && *env_state != '\0')) {
    command += " --state-dir " + command_word(context.config().state_dir.string());
  }
  return command + " submit --from-env " + command_word(event);
}

// The events to bridge: those named, each in the catalog, or for `all` every catalog event the
// host's `--list-events` mentions (Plesk versions differ in the events they have).
std::vector<std::string> chosen_events(Context& context, const std::string& plesk,
                                       const std::string& events) {
  const auto& catalog = context.catalog();
  std::vector<std::string> chosen;
  if (events != "all") {
    std::vector<std::string> unknown;
    for (const std::string& name : split_list(events)) {
      (catalog.find(name) != nullptr ? chosen : unknown).push_back(name);
    }
    if (!unknown.empty()) {
      throw CommandError{k_exit_usage, unknown_event_message(catalog, unknown.front())};
    }
    return chosen;
  }
  Ran listed = run_program(event_handler(plesk, {"--list-events"}), true);
  if (listed.status != 0) {
    throw CommandError{k_exit_failure, printable(plesk) +
                                           " bin event_handler --list-events failed with exit status " +
                                           std::to_string(listed.status)};
  }
  std::set<std::string> mentioned;
  std::istringstream in(listed.out);
  for (std::string word; in >> word;) {
    mentioned.insert(word);
  }
  for (const auto& def : catalog.events()) {
    if (mentioned.count(def.name) > 0) {
      chosen.push_back(def.name);
    }
  }
  if (chosen.empty()) {
    throw CommandError{k_exit_failure,
                       printable(plesk) +
                           " bin event_handler --list-events names no event of eventmgr's catalog; "
                           "name them with --events E,..."};
  }
  return chosen;
}

int install(Context& context, const BridgeOptions& o) {
  const std::string plesk = find_plesk(o);
  std::set<std::string> present;
  for (const PleskHandler& handler : bridged_handlers(plesk)) {
    present.insert(bridged_event(handler.command));
  }
  std::vector<std::string> added;
  std::vector<std::string> failed;
  std::size_t already = 0;
  for (const std::string& event : chosen_events(context, plesk, o.events)) {
    if (present.count(event) > 0) {
      ++already;
      continue;
    }
    Ran created =
        run_program(event_handler(plesk, {"--create", "-event", event, "-priority", o.priority, "-user",
                                          o.user, "-command", bridge_command(context, event)}),
                    true);
    (created.status == 0 ? added : failed).push_back(event);
  }
  if (context.json) {
    std::cout << json_text(json::object{{"added", json_strings(added)},
                                        {"already_present", already},
                                        {"failed", json_strings(failed)}})
              << "\n";
  } else {
    for (const std::string& event : added) {
      std::cout << "bridged " << event << "\n";
    }
    std::cout << added.size() << (added.size() == 1 ? " handler" : " handlers") << " added";
    if (already > 0) {
      std::cout << ", " << already << " already present";
    }
    std::cout << "\n";
  }
  if (!failed.empty()) {
    throw CommandError{k_exit_failure, printable(plesk) + " bin event_handler --create refused " +
                                           printable(join(failed, ", ")) + " (its message is above)"};
  }
  return k_exit_ok;
}

int uninstall(Context& context, const BridgeOptions& o) {
  const std::string plesk = find_plesk(o);
  std::vector<std::int64_t> removed;
  std::vector<std::int64_t> failed;
  for (const PleskHandler& handler : bridged_handlers(plesk)) {
    Ran deleted = run_program(event_handler(plesk, {"--delete", std::to_string(handler.id)}), true);
    (deleted.status == 0 ? removed : failed).push_back(handler.id);
  }
  if (context.json) {
    json::array ids;
    for (const std::int64_t id : removed) {
      ids.push_back(id);
    }
    std::cout << json_text(json::object{{"removed", std::move(ids)}, {"failed", failed.size()}}) << "\n";
  } else {
    std::cout << removed.size() << (removed.size() == 1 ? " handler" : " handlers") << " removed\n";
  }
  if (!failed.empty()) {
    throw CommandError{k_exit_failure, std::to_string(failed.size()) +
                                           " bridge handlers could not be deleted "
                                           "(the messages are above)"};
  }
  return k_exit_ok;
}

int status(Context& context, const BridgeOptions& o) {
  const std::vector<PleskHandler> ours = bridged_handlers(find_plesk(o));
  if (context.json) {
    json::array out;
    for (const PleskHandler& handler : ours) {
      out.push_back(json::object{{"id", handler.id},
                                 {"event", bridged_event(handler.command)},
                                 {"priority", handler.priority},
                                 {"user", handler.user},
                                 {"command", handler.command}});
    }
    std::cout << json_text(out) << "\n";
    return k_exit_ok;
  }
  if (ours.empty()) {
    std::cout << "no bridge handlers in Plesk; eventmgr plesk-bridge install adds them\n";
    return k_exit_ok;
  }
  Table table({"ID", "EVENT", "PRIO", "USER", "COMMAND"});
  for (const PleskHandler& handler : ours) {
    table.add({std::to_string(handler.id), printable(bridged_event(handler.command)),
               printable(handler.priority), printable(handler.user), printable(handler.command)});
  }
  table.print(std::cout);
  return k_exit_ok;
}

} // namespace

void add_plesk_bridge_commands(CLI::App& app, Context& context) {
  auto* group = app.add_subcommand("plesk-bridge", "feed a real Plesk's events into eventmgr (Plesk handlers "
                                                   "that run eventmgr submit --from-env)");
  group->require_subcommand(1);
  auto o = std::make_shared<BridgeOptions>();
  group->add_option("--plesk", o->plesk, "the host's plesk command (default: plesk on PATH)")
      ->type_name("PROGRAM");

  auto* installer = group->add_subcommand("install", "register a bridge handler in Plesk for each event "
                                                     "(events already bridged are left as they are)");
  installer
      ->add_option("--events", o->events, "all (every event this Plesk lists that eventmgr knows) or E,...")
      ->type_name("all|E,...");
  installer->add_option("--priority", o->priority, "the bridge handlers' Plesk priority (default 50)")
      ->type_name("N");
  installer
      ->add_option("--user", o->user, "the user Plesk runs them as; it must be able to submit (default root)")
      ->type_name("USER");
  set_action(installer, [&context, o]() { return install(context, *o); });

  auto* remover =
      group->add_subcommand("uninstall", "delete every bridge handler from Plesk (found by --list)");
  set_action(remover, [&context, o]() { return uninstall(context, *o); });

  auto* reporter = group->add_subcommand("status", "the bridge handlers registered in Plesk");
  set_action(reporter, [&context, o]() { return status(context, *o); });
}

} // namespace eventmgr::cli
