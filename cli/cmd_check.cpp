// SPDX-License-Identifier: MIT
// `eventmgr check`: is the setup right? Config, catalog, schema, permissions, and every handler
// (README "Commands"). Every problem is reported, each on its own line naming the file or handler.
#include "cli/app.hpp"
#include "cli/delivery.hpp"
#include "manage/handler_io.hpp"
#include "cli/table.hpp"
#include "common/program_access.hpp"
#include "common/trusted_files.hpp"
#include "common/users.hpp"
#include "events/database.hpp"
#include "handlers/command_template.hpp"
#include "handlers/handler_store.hpp"
#include "handlers/run_ledger.hpp"

#include <boost/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace eventmgr::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// What check found. Human output goes out as it is found: `ok`, `FAIL` and `note` lines.
class Report {
public:
  explicit Report(bool json_output) : m_json(json_output) {}

  void ok(const std::string& what, const std::string& detail) { line("ok  ", what, detail); }
  void fail(const std::string& what, const std::string& message) {
    m_problems.push_back(json::object{{"what", what}, {"message", message}});
    line("FAIL", what, message);
  }
  void note(const std::string& what, const std::string& message) {
    m_notes.push_back(json::object{{"what", what}, {"message", message}});
    line("note", what, message);
  }
  std::size_t problems() const { return m_problems.size(); }
  // Whether the last line says that the setup is sound but no daemon runs on it.
  void set_daemon_stopped(bool stopped) { m_daemon_stopped = stopped; }
  json::object& checked() { return m_checked; }

  int finish() {
    if (m_json) {
      std::cout << json_text(json::object{{"ok", m_problems.empty()},
                                          {"problems", m_problems},
                                          {"notes", m_notes},
                                          {"checked", m_checked}})
                << "\n";
    } else if (m_problems.empty()) {
      std::cout << (m_daemon_stopped ? "no problems in the setup; eventmgrd is not running, so nothing is handled "
                                       "until it starts\n"
                                     : "no problems\n");
    } else {
      std::cout << m_problems.size() << (m_problems.size() == 1 ? " problem" : " problems") << "\n";
    }
    return m_problems.empty() ? k_exit_ok : k_exit_failure;
  }

private:
  // One line per line of `text` (a config with three errors gives three FAIL lines), each
  // escaped.
  void line(const char* tag, const std::string& what, const std::string& text) const {
    if (m_json) {
      return;
    }
    std::size_t start = 0;
    do {
      std::size_t end = text.find('\n', start);
      std::string part = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
      std::cout << tag << "  " << printable(what) << ": " << printable(part) << "\n";
      start = end == std::string::npos ? text.size() + 1 : end + 1;
    } while (start <= text.size());
  }

  bool m_json;
  bool m_daemon_stopped = false;
  json::array m_problems;
  json::array m_notes;
  json::object m_checked;
};

// The daemon's rule for the config file: writable by no one but its own user and root.
void check_private(Report& report, const std::string& what, const fs::path& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      report.fail(what + " " + path.string(), std::string("cannot check: ") + std::strerror(errno));
    }
    return;
  }
  if (auto problem = private_problem(st, path)) {
    report.fail(what + " " + path.string(), *problem);
  }
}

// The problems eventmgrd refuses to start on (the same list, common/trusted_files.hpp), each
// reported once under the part it names.
class FileChecks {
public:
  FileChecks(Report& report, std::vector<FileProblem> problems) : m_report(report), m_problems(std::move(problems)) {}

  // Reports the problems of part `what`; false when there were any.
  bool sound(const std::string& what) {
    bool sound = true;
    for (const auto& problem : m_problems) {
      if (problem.what == what) {
        m_report.fail(what + " " + problem.path.string(), problem.reason);
        sound = false;
      }
    }
    return sound;
  }

private:
  Report& m_report;
  std::vector<FileProblem> m_problems;
};


// The catalog dirs and files are checked as they are read (events::Catalog::load), so their
// problems come as catalog problems, as eventmgrd reports them.
void check_catalog(Report& report, Context& context) {
  try {
    const auto& catalog = context.catalog();
    std::size_t extra = static_cast<std::size_t>(
      std::count_if(catalog.events().begin(), catalog.events().end(), [](const auto& def) { return !def.builtin; }));
    report.checked()["catalog_events"] = catalog.events().size();
    report.ok("catalog", std::to_string(catalog.events().size()) + " events (" + std::to_string(extra) +
                           " from catalog files)");
  } catch (const CommandError& error) {
    // One problem per line: "FILE:LINE: message".
    std::string text = error.message;
    if (text.starts_with("catalog problems:\n")) {
      text.erase(0, std::strlen("catalog problems:\n"));
    }
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      std::string problem = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (!problem.empty()) {
        report.fail("catalog", problem);
      }
      start = end == std::string::npos ? text.size() : end + 1;
    }
  }
}

void check_state(Report& report, FileChecks& files, const Config& config) {
  report.checked()["state_dir"] = config.state_dir.string();
  files.sound("directory");
  struct stat st{};
  const std::string state = "state dir " + config.state_dir.string();
  if (files.sound("state dir")) {
    if (::lstat(config.state_dir.c_str(), &st) != 0) {
      report.note(state, errno == ENOENT ? "absent; eventmgrd creates it at start (mode 0750)"
                                         : std::string("cannot check: ") + std::strerror(errno));
    } else {
      report.ok(state, "directory, mode " + mode_text(st.st_mode));
    }
  }
  files.sound("lock file");
}

void check_pipe_and_pickup(Report& report, FileChecks& files, const Config& config) {
  report.checked()["pipe"] = config.pipe.string();
  report.checked()["pickup_dir"] = config.pickup_dir.string();
  struct stat st{};
  const std::string pipe = "pipe " + config.pipe.string();
  if (files.sound("pipe")) {
    if (::lstat(config.pipe.c_str(), &st) != 0) {
      report.note(pipe, errno == ENOENT ? "absent; eventmgrd creates it at start (mode 0620)"
                                        : std::string("cannot check: ") + std::strerror(errno));
    } else if ((st.st_mode & 07777) != 0620) {
      report.note(pipe, "mode " + mode_text(st.st_mode) +
                          ", narrower than 0620: the panel's group cannot write to it: chmod 0620 " +
                          config.pipe.string());
    } else {
      report.ok(pipe, "FIFO, mode 0620");
    }
  }
  const std::string pickup = "pickup dir " + config.pickup_dir.string();
  if (files.sound("pickup dir")) {
    if (::lstat(config.pickup_dir.c_str(), &st) != 0) {
      report.note(pickup, errno == ENOENT ? "absent; eventmgrd creates it at start (mode 1730)"
                                          : std::string("cannot check: ") + std::strerror(errno));
    } else if ((st.st_mode & 07777) != 01730) {
      report.note(pickup, "mode " + mode_text(st.st_mode) +
                            ", narrower than 1730: the panel's group cannot add files: chmod 1730 " +
                            config.pickup_dir.string());
    } else {
      report.ok(pickup, "directory, mode 1730");
    }
  }
}

void check_log_file(Report& report, FileChecks& files, const Config& config) {
  if (config.log_file.empty()) {
    return;
  }
  report.checked()["log_file"] = config.log_file.string();
  const std::string log = "log file " + config.log_file.string();
  struct stat st{};
  if (!files.sound("log file")) {
    return;
  }
  if (::lstat(config.log_file.c_str(), &st) != 0) {
    report.note(log, errno == ENOENT ? "absent; eventmgrd creates it at start (mode 0640)"
                                     : std::string("cannot check: ") + std::strerror(errno));
  } else if ((st.st_mode & 0137) != 0) {
    report.note(log, "mode " + mode_text(st.st_mode) + ": others may read it; eventmgrd narrows it to 0640 at start");
  } else {
    report.ok(log, "regular file, mode " + mode_text(st.st_mode));
  }
}

void check_handlers(Report& report, Context& context, const Config& config, sqlite::Database& db) {
  handlers::HandlerStore store(db);
  auto all = store.list();
  report.checked()["handlers"] = all.size();
  std::optional<const events::Catalog*> catalog;
  try {
    catalog = &context.catalog();
  } catch (const CommandError&) {
    // Reported by check_catalog; each handler's event then cannot be checked.
  }
  auto me = current_user();
  for (const auto& handler : all) {
    std::string what = "handler " + std::to_string(handler.id);
    std::size_t before = report.problems();
    if (catalog) {
      for (const auto& problem : manage::check_handler(handler, **catalog, config)) {
        report.fail(what, problem.message);
      }
    }
    auto user = lookup_user(handler.user);
    if (!catalog && !user) {
      report.fail(what, user.error().message);
    }
    const events::EventDef* def = catalog ? (*catalog)->find(handler.event) : nullptr;
    std::optional<std::string> program;
    if (def != nullptr) {
      if (auto command = handlers::CommandTemplate::parse(handler, *def)) {
        program = command->program();
      }
    }
    if (program && user) {
      for (const auto& problem : program_problems(*program, *user)) {
        report.fail(what, problem);
      }
    }
    if (user && me && me->uid != 0 && user->uid != me->uid) {
      report.note(what, "runs as " + handler.user + ", but this check runs as " + me->name +
                          ": only a daemon running as root can switch to another user");
    }
    if (report.problems() == before) {
      report.ok(what, handler.event + " as " + handler.user + ": " + program.value_or(handler.command) +
                        (handler.enabled ? "" : " (disabled)"));
    }
  }
}

int check(Context& context) {
  Report report(context.json);
  // 1. The config: it must load, and only its owner (and root) may write it.
  const Config* config = nullptr;
  try {
    config = &context.config();
  } catch (const CommandError& error) {
    fs::path file = context.config_file ? fs::path(*context.config_file) : fs::path(k_default_config_path);
    report.fail("config " + file.string(), error.message);
    check_private(report, "config", file);
    return report.finish();
  }
  auto group = resolve_pipe_group(*config);
  if (!group) {
    report.fail("config " + config->config_file.string(), group.error().message);
    return report.finish();
  }
  FileChecks files(report, file_problems(*config, *group, handlers::RunLedger::path_for(config->database)));
  if (config->config_file.empty()) {
    report.checked()["config"] = nullptr;
    report.ok("config", "none; the embedded default with state dir " + config->state_dir.string());
  } else {
    report.checked()["config"] = config->config_file.string();
    if (files.sound("config")) {
      report.ok("config " + config->config_file.string(), "loads; writable only by its owner");
    }
  }

  // 2. The state dir, its lock and the dirs above it: what eventmgrd checks before it starts.
  check_state(report, files, *config);

  // 3. The catalog: built-in plus catalog files, every problem.
  check_catalog(report, context);

  // 4. The database: private, and at the schema version of this binary.
  report.checked()["database"] = config->database.string();
  std::string database = "database " + config->database.string();
  std::error_code ec;
  std::optional<sqlite::Database> db;
  const bool private_files = files.sound("database") && files.sound("run ledger");
  if (!fs::exists(config->database, ec)) {
    report.note(database, "absent; eventmgrd creates it at start");
  } else {
    auto opened = events::open_database(config->database, events::OpenFor::read_only);
    if (!opened) {
      report.fail(database, opened.error().message);
    } else {
      db = std::move(opened.value());
      report.checked()["schema_version"] = events::k_schema_version;
      if (private_files) {
        report.ok(database, "schema version " + std::to_string(events::k_schema_version));
      }
    }
  }

  // 5. What the panel writes to, and the log.
  check_pipe_and_pickup(report, files, *config);
  check_log_file(report, files, *config);

  // 6. Every handler.
  if (db) {
    check_handlers(report, context, *config, *db);
  }

  // 7. The daemon: a sound setup that nothing runs on handles nothing.
  const bool running = daemon_runs(*config);
  report.checked()["daemon_running"] = running;
  if (running) {
    report.ok("daemon", "running");
  } else {
    report.note("daemon", "not running: records wait in the pipe or the pickup dir and no handler runs until "
                          "eventmgrd starts (README, \"Running it as a service\")");
    report.set_daemon_stopped(true);
  }
  return report.finish();
}

} // namespace

void add_check_command(CLI::App& app, Context& context) {
  auto* sub = app.add_subcommand("check", "check config, catalog, database, permissions and every handler; "
                                          "exit 1 on any problem");
  set_action(sub, [&context]() { return check(context); });
}

} // namespace eventmgr::cli
