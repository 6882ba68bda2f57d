// SPDX-License-Identifier: MIT
#include "compat/event_handler_args.hpp"

#include "common/text.hpp"

#include <charconv>
#include <map>

namespace eventmgr::compat {
namespace {

const std::map<std::string, Command, std::less<>>& commands() {
  static const std::map<std::string, Command, std::less<>> table{{"--create", Command::create},
                                                                 {"--update", Command::update},
                                                                 {"--delete", Command::remove},
                                                                 {"--list", Command::list},
                                                                 {"-l", Command::list},
                                                                 {"--list-events", Command::list_events},
                                                                 {"--list-users", Command::list_users},
                                                                 {"--help", Command::help},
                                                                 {"-h", Command::help}};
  return table;
}

bool takes_id(Command command) {
  return command == Command::update || command == Command::remove;
}
bool takes_options(Command command) {
  return command == Command::create || command == Command::update;
}

std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t id = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, id);
  if (text.empty() || ec != std::errc() || ptr != end || id <= 0) {
    return std::nullopt;
  }
  return id;
}

} // namespace

Result<Request> parse_event_handler_args(const std::vector<std::string>& args) {
  if (args.empty()) {
    return make_error("no command given");
  }
  auto found = commands().find(args.front());
  if (found == commands().end()) {
    return make_error("unknown command '" + escape_for_message(args.front()) +
                      "'; use --create, --update, --delete, --list, --list-events, --list-users or --help");
  }
  Request request;
  request.command = found->second;
  std::size_t at = 1;
  if (takes_id(request.command)) {
    if (at >= args.size()) {
      return make_error(args.front() + " needs the handler's Id (event_handler --list shows it)");
    }
    auto id = parse_id(args[at]);
    if (!id) {
      return make_error("invalid handler Id '" + escape_for_message(args[at]) +
                        "': give the number shown as Id by event_handler --list");
    }
    request.id = *id;
    ++at;
  }
  const std::map<std::string_view, std::optional<std::string>*> options{
      {"-event", &request.event},
      {"-priority", &request.priority},
      {"-user", &request.user},
      {"-command", &request.handler_command}};
  for (; at < args.size(); ++at) {
    const std::string& word = args[at];
    auto option = options.find(word);
    if (!takes_options(request.command)) {
      return make_error("unexpected argument '" + escape_for_message(word) + "': " + args.front() +
                        (takes_id(request.command) ? " takes only the handler's Id" : " takes no arguments"));
    }
    if (option == options.end()) {
      return make_error("unknown option '" + escape_for_message(word) +
                        "'; use -event, -priority, -user or -command, each followed by its value");
    }
    if (option->second->has_value()) {
      return make_error("option " + word + " given twice");
    }
    if (at + 1 >= args.size()) {
      return make_error("option " + word + " needs a value");
    }
    *option->second = args[++at];
  }
  if (request.command == Command::create) {
    if (!request.event) {
      return make_error("--create needs -event NAME (event_handler --list-events shows the names)");
    }
    if (!request.handler_command) {
      return make_error("--create needs -command \"COMMAND\"");
    }
  }
  if (request.command == Command::update && !request.event && !request.priority && !request.user &&
      !request.handler_command) {
    return make_error("--update needs at least one of -event, -priority, -user, -command");
  }
  return request;
}

std::string event_handler_usage() {
  return "Usage: event_handler COMMAND [OPTIONS]\n"
         "Manages event handlers (eventmgr's Plesk-compatible front end).\n"
         "\n"
         "Commands:\n"
         "  --create                 create a handler; needs -event and -command\n"
         "  --update <id>            change the given options of handler <id>\n"
         "  --delete <id>            remove handler <id>\n"
         "  --list, -l               list the handlers (Id, Name, Priority, User, Command)\n"
         "  --list-events            list the events a handler can be created for\n"
         "  --list-users             list the system users a handler's command may run as\n"
         "  --help, -h               show this help\n"
         "\n"
         "Options of --create and --update, in any order:\n"
         "  -event <name>            the event (see --list-events)\n"
         "  -priority <number>       0..1000000, or lowest, low, normal, high, highest;\n"
         "                           a higher number runs first (default: normal, 50)\n"
         "  -user <name>             the system user the command runs as (see --list-users)\n"
         "  -command \"<command>\"     the command line, quoted as one argument. Its program is a\n"
         "                           full path or a name looked up in /usr/local/sbin, /usr/local/bin,\n"
         "                           /usr/sbin, /usr/bin, /sbin, /bin. It gets the event's values in\n"
         "                           NEW_*/OLD_* environment variables and in <new_x>/<old_x>\n"
         "                           placeholders; no shell reads it (use a script for pipes or\n"
         "                           redirections).\n"
         "\n"
         "Exit status: 0 on success, 1 on any error (the reason is printed on stderr).\n";
}

} // namespace eventmgr::compat
