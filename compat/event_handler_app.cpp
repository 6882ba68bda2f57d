// SPDX-License-Identifier: MIT
#include "compat/event_handler_app.hpp"

#include "compat/event_handler_args.hpp"
#include "compat/plesk_list.hpp"

#include "common/config.hpp"
#include "common/text.hpp"
#include "events/catalog.hpp"
#include "handlers/handler_store.hpp"
#include "manage/handler_db.hpp"
#include "manage/handler_edit.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

namespace eventmgr::compat {
namespace {

namespace fs = std::filesystem;

// A failure that ends the command: printed as "event_handler: <what>" on stderr, exit 1.
struct Failure {
  std::string message;
};

// What the commands share: the config, the catalog and the database, each loaded on first use.
class Session {
public:
  const Config& config() {
    if (!m_config) {
      auto loaded = load_config({});
      if (!loaded) {
        throw Failure{loaded.error().message};
      }
      m_config = std::move(loaded.value());
    }
    return *m_config;
  }

  const events::Catalog& catalog() {
    if (!m_catalog) {
      auto loaded = events::Catalog::load(config().catalog_dirs, config().catalogs);
      if (!loaded) {
        throw Failure{"catalog problems:\n" + loaded.error().message};
      }
      m_catalog = std::move(loaded.value());
    }
    return *m_catalog;
  }

  // The handler store; nullptr when reading and there is no database yet (reading creates nothing).
  manage::HandlerDb* store(manage::Access access) {
    if (!m_db || (access == manage::Access::write && !m_writable)) {
      auto opened = manage::open_handlers(config(), access);
      if (!opened) {
        throw Failure{opened.error().message};
      }
      m_db = std::move(opened.value());
      m_writable = access == manage::Access::write;
    }
    return m_db.get();
  }

  // Every handler, ordered by id.
  std::vector<handlers::Handler> handlers() {
    manage::HandlerDb* db = store(manage::Access::read);
    if (db == nullptr) {
      return {};
    }
    std::vector<handlers::Handler> all = db->store().list();
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return all;
  }

private:
  std::optional<Config> m_config;
  std::optional<events::Catalog> m_catalog;
  std::unique_ptr<manage::HandlerDb> m_db;
  bool m_writable = false;
};

int list_handlers(Session& session) {
  std::vector<ListedHandler> listed;
  for (const handlers::Handler& handler : session.handlers()) {
    const events::EventDef* def = session.catalog().find(handler.event);
    // An event since dropped from the catalog has no title left: its name stands in.
    listed.push_back({handler.id, def != nullptr ? def->description : handler.event, handler.priority,
                      handler.user, handler.command});
  }
  std::cout << format_handler_list(listed);
  return k_exit_ok;
}

int list_events(Session& session) {
  std::vector<ListedEvent> listed;
  for (const events::EventDef& def : session.catalog().events()) {
    listed.push_back({def.name, def.description});
  }
  std::cout << format_event_list(listed);
  return k_exit_ok;
}

bool login_shell(const std::string& shell) {
  const std::string base = fs::path(shell).filename().string();
  return !shell.empty() && base != "nologin" && base != "false" && base != "sync" && base != "shutdown" &&
         base != "halt";
}

// The users a handler may run as: those with a login shell, and nobody (eventmgr's default
// user); root only when the config allows root handlers. In the order of the user database.
int list_users(Session& session) {
  const bool allow_root = session.config().allow_root;
  std::set<std::string> seen;
  std::vector<std::string> names;
  ::setpwent();
  while (const passwd* pw = ::getpwent()) {
    const std::string name = pw->pw_name != nullptr ? pw->pw_name : "";
    const std::string shell = pw->pw_shell != nullptr ? pw->pw_shell : "";
    if (name.empty() || (pw->pw_uid == 0 && !allow_root)) {
      continue;
    }
    if ((login_shell(shell) || name == "nobody") && seen.insert(name).second) {
      names.push_back(name);
    }
  }
  ::endpwent();
  for (const std::string& name : names) {
    std::cout << escape_control(name) << "\n";
  }
  return k_exit_ok;
}

// Where Plesk looks up a command's program, the PATH eventmgr gives handlers too.
constexpr const char* k_program_dirs[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                          "/usr/bin",        "/sbin",          "/bin"};

// Plesk takes `bash -c /usr/local/bin/x.sh`, a program by name; eventmgr stores a full path. A
// first word without a slash becomes the first executable of that name in k_program_dirs
// (unchanged when there is none: the checks then refuse it, naming the rule).
std::string with_program_path(const std::string& command) {
  const std::size_t start = command.find_first_not_of(" \t");
  if (start == std::string::npos) {
    return command;
  }
  const std::size_t end = command.find_first_of(" \t", start);
  const std::string program =
      command.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (program.find_first_of("/'\"\\<%$") != std::string::npos) {
    return command;
  }
  for (const char* dir : k_program_dirs) {
    const std::string candidate = std::string(dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) {
      return command.substr(0, start) + candidate + (end == std::string::npos ? "" : command.substr(end));
    }
  }
  return command;
}

manage::HandlerChange change_of(const Request& request) {
  manage::HandlerChange change;
  change.event = request.event;
  change.priority = request.priority;
  change.user = request.user;
  if (request.handler_command) {
    change.command = with_program_path(*request.handler_command);
  }
  return change;
}

// Every problem of a refusal, one per line after "An error occurred during WHAT:".
[[noreturn]] void refuse(const std::string& what, const manage::Edited& edited, const Request& request) {
  std::vector<std::string> lines;
  for (const auto& problem : edited.problems) {
    std::istringstream split(problem.message);
    for (std::string line; std::getline(split, line);) {
      lines.push_back(line);
    }
  }
  if (edited.refusal == manage::Refusal::not_found) {
    lines = {"no event handler with Id " + std::to_string(request.id) + " (event_handler --list shows them)"};
  }
  // eventmgr's wording names eventmgr's commands; here Plesk's are the ones the user has.
  for (std::string& line : lines) {
    for (const auto& [from, to] : {std::pair<std::string, std::string>{
                                       "eventmgr events lists all", "event_handler --list-events lists all"},
                                   {"--literal", "a script file"}}) {
      for (std::size_t at = line.find(from); at != std::string::npos; at = line.find(from, at + to.size())) {
        line.replace(at, from.size(), to);
      }
    }
  }
  std::string message = "An error occurred during " + what + ":";
  message += lines.size() == 1 ? " " + lines.front() : "";
  if (lines.size() > 1) {
    for (const std::string& line : lines) {
      message += "\n  " + line;
    }
  }
  throw Failure{message};
}

int create_handler(Session& session, const Request& request) {
  manage::HandlerDb* db = session.store(manage::Access::write);
  const manage::Edited edited =
      manage::add_handler(db->store(), change_of(request), session.catalog(), session.config(), {});
  if (edited.refusal != manage::Refusal::none) {
    refuse("event handler creation", edited, request);
  }
  std::cout << "SUCCESS: Creation of event handler with Id " << edited.handler.id << " complete\n";
  return k_exit_ok;
}

int update_handler(Session& session, const Request& request) {
  manage::HandlerDb* db = session.store(manage::Access::write);
  const manage::Edited edited = manage::update_handler(db->store(), request.id, change_of(request),
                                                       session.catalog(), session.config(), {});
  if (edited.refusal != manage::Refusal::none) {
    refuse("event handler update", edited, request);
  }
  std::cout << "SUCCESS: Update of event handler with Id " << request.id << " complete\n";
  return k_exit_ok;
}

int delete_handler(Session& session, const Request& request) {
  // No database means no handler: reading first, so that a failed delete creates nothing.
  if (session.store(manage::Access::read) == nullptr ||
      !session.store(manage::Access::write)->store().remove(request.id)) {
    throw Failure{"An error occurred during event handler removal: no event handler with Id " +
                  std::to_string(request.id) + " (event_handler --list shows them)"};
  }
  std::cout << "SUCCESS: Removal of event handler with Id " << request.id << " complete\n";
  return k_exit_ok;
}

int run_request(Session& session, const Request& request) {
  switch (request.command) {
  case Command::create:
    return create_handler(session, request);
  case Command::update:
    return update_handler(session, request);
  case Command::remove:
    return delete_handler(session, request);
  case Command::list:
    return list_handlers(session);
  case Command::list_events:
    return list_events(session);
  case Command::list_users:
    return list_users(session);
  case Command::help:
    std::cout << event_handler_usage();
    return k_exit_ok;
  }
  return k_exit_error;
}

} // namespace

int run_event_handler(int argc, char** argv) {
  const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  auto request = parse_event_handler_args(args);
  if (!request) {
    std::cerr << "event_handler: " << request.error().message << "\n\n" << event_handler_usage();
    return k_exit_error;
  }
  Session session;
  try {
    return run_request(session, *request);
  } catch (const Failure& e) {
    std::cerr << "event_handler: " << e.message << "\n";
  } catch (const std::exception& e) {
    std::cerr << "event_handler: " << escape_control(e.what()) << "\n";
  }
  return k_exit_error;
}

} // namespace eventmgr::compat
