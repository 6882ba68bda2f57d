// SPDX-License-Identifier: MIT
#include "compat/event_handler_app.hpp"

#include "compat/event_handler_args.hpp"
#include "compat/plesk_list.hpp"

#include "common/config.hpp"
#include "common/text.hpp"
#include "events/catalog.hpp"
#include "events/database.hpp"
#include "handlers/handler_store.hpp"

#include <pwd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>

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
      auto loaded = events::Catalog::load(config().catalog_dirs);
      if (!loaded) {
        throw Failure{"catalog problems:\n" + loaded.error().message};
      }
      m_catalog = std::move(loaded.value());
    }
    return *m_catalog;
  }

  // Every handler, ordered by id; none when there is no database yet (reading creates nothing).
  std::vector<handlers::Handler> handlers() {
    std::error_code ec;
    if (!fs::exists(config().database, ec)) {
      return {};
    }
    auto db = events::open_database(config().database, events::OpenFor::cli, 0600);
    if (!db) {
      throw Failure{db.error().message};
    }
    handlers::HandlerStore store(db.value());
    std::vector<handlers::Handler> all = store.list();
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return all;
  }

private:
  std::optional<Config> m_config;
  std::optional<events::Catalog> m_catalog;
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

int create_handler(Session& session, const Request& request);
int update_handler(Session& session, const Request& request);
int delete_handler(Session& session, const Request& request);

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

int create_handler(Session&, const Request&) { throw Failure{"not yet"}; }
int update_handler(Session&, const Request&) { throw Failure{"not yet"}; }
int delete_handler(Session&, const Request&) { throw Failure{"not yet"}; }

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
