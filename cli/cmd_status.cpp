// SPDX-License-Identifier: MIT
// `eventmgr status`: is the daemon up, what waits, what ran in the last hour, the last error.
#include "cli/app.hpp"
#include "cli/table.hpp"
#include "common/clock.hpp"
#include "common/state_lock.hpp"
#include "events/database.hpp"
#include "events/journal.hpp"
#include "events/panel_files.hpp"
#include "handlers/delivery_store.hpp"
#include "handlers/run_log.hpp"

#include <boost/json.hpp>

#include <unistd.h>

#include <sys/stat.h>

#include <filesystem>
#include <iostream>

namespace eventmgr::cli {
namespace {

namespace json = boost::json;

struct PickupBacklog {
  std::int64_t files = 0;
  std::optional<std::int64_t> oldest_ms; // modification time of the oldest waiting file
  std::string error;                     // the directory could not be read
};

PickupBacklog pickup_backlog(const std::filesystem::path& dir) {
  PickupBacklog backlog;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || entry.path().extension() != ".json") {
      continue;
    }
    struct stat st{};
    // The daemon reads regular files only and removes any other entry at its next scan.
    if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      continue;
    }
    std::int64_t mtime = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
    ++backlog.files;
    if (!backlog.oldest_ms || mtime < *backlog.oldest_ms) {
      backlog.oldest_ms = mtime;
    }
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    backlog.error = ec.message();
  }
  return backlog;
}

std::string age(std::optional<std::int64_t> since, std::int64_t now) {
  return since ? format_duration(std::max<std::int64_t>(0, now - *since)) : "-";
}

int status(Context& context) {
  const Config& config = context.config();
  std::int64_t now = now_ms();
  bool running = daemon_running(config);
  PickupBacklog pickup = pickup_backlog(config.pickup_dir);

  std::optional<events::Counters> counters;
  std::optional<events::Backlog> backlog;
  std::optional<handlers::RunCounts> last_hour;
  std::optional<handlers::DeliveryCounts> deliveries; // retries waiting and dead letters
  std::optional<std::string> started_at;
  std::optional<std::string> pid;
  std::optional<std::string> last_error;
  std::string database_problem;
  if (!std::filesystem::exists(config.database)) {
    database_problem = "no database yet (the daemon creates it at its first start)";
  } else if (auto db = events::open_database(config.database, events::OpenFor::read_only); !db) {
    // Not the daemon's user (the panel): the journal is private; the daemon's status file has
    // the figures, as of their last change, and says whether the daemon runs.
    auto read = events::read_status_file(events::status_file_path(config.state_dir));
    if (!read) {
      database_problem = db.error().message + "; " + read.error().message;
    } else {
      const events::DaemonStatus& from_daemon = read->status;
      running = running || read->live;
      counters = from_daemon.counters;
      backlog = from_daemon.backlog;
      last_hour = handlers::RunCounts{from_daemon.runs_ok_last_hour, from_daemon.runs_failed_last_hour};
      started_at = std::to_string(from_daemon.started_at);
      pid = std::to_string(from_daemon.pid);
      if (!from_daemon.last_error.empty()) {
        last_error = from_daemon.last_error;
      }
      if (!pickup.error.empty()) { // the group may add pickup files, not list them
        pickup = PickupBacklog{from_daemon.pickup_files, from_daemon.pickup_oldest, {}};
      }
    }
  } else {
    // Every figure comes from an index or a one-row table: cheap at any journal size.
    events::Journal journal(*db);
    handlers::RunLog runs(*db);
    counters = journal.counters();
    backlog = journal.backlog();
    last_hour = runs.ok_failed_since(now - 3'600'000);
    deliveries = handlers::DeliveryStore(*db).counts();
    started_at = journal.get_daemon_state("started_at");
    pid = journal.get_daemon_state("pid");
    last_error = journal.get_daemon_state("last_error");
  }

  if (context.json) {
    json::object out{{"running", running}, {"state_dir", config.state_dir.string()},
                     {"database", config.database.string()}, {"pipe", config.pipe.string()}};
    if (running && started_at) {
      out["since"] = format_rfc3339(std::stoll(*started_at));
      out["pid"] = pid ? std::stoll(*pid) : 0;
    }
    out["pickup_files"] = pickup.files;
    out["pickup_oldest_age_ms"] = pickup.oldest_ms ? json::value(now - *pickup.oldest_ms) : json::value(nullptr);
    if (!pickup.error.empty()) {
      out["pickup_error"] = pickup.error;
    }
    if (backlog) {
      out["pending_events"] = backlog->count;
      out["pending_oldest_age_ms"] =
        backlog->oldest_received_at ? json::value(now - *backlog->oldest_received_at) : json::value(nullptr);
      out["accepted"] = counters->accepted;
      out["rejected"] = counters->rejected;
      out["duplicate"] = counters->duplicate;
      out["runs_ok_last_hour"] = last_hour->ok;
      out["runs_failed_last_hour"] = last_hour->failed;
      out["last_error"] = last_error ? json::value(*last_error) : json::value(nullptr);
      if (deliveries) {
        out["retries_waiting"] = deliveries->waiting;
        out["retries_oldest_age_ms"] = deliveries->oldest_waiting
                                           ? json::value(now - *deliveries->oldest_waiting)
                                           : json::value(nullptr);
        out["retries_next_due"] =
            deliveries->next_due ? json::value(format_rfc3339(*deliveries->next_due)) : json::value(nullptr);
        out["dead_letters"] = deliveries->dead;
        out["dead_oldest_age_ms"] =
            deliveries->oldest_dead ? json::value(now - *deliveries->oldest_dead) : json::value(nullptr);
      }
    } else {
      out["database_problem"] = database_problem;
    }
    std::cout << json_text(out) << "\n";
    return running ? k_exit_ok : k_exit_unreachable;
  }

  if (running) {
    std::cout << "daemon:    running" << (pid ? " (pid " + *pid + ")" : "")
              << (started_at ? " since " + format_local_time(std::stoll(*started_at)) : "") << "\n";
  } else {
    std::cout << "daemon:    not running (state dir " << printable(config.state_dir.string()) << ")\n";
    // A user's own default state dir is not the system's: point there instead of only saying
    // "not running".
    const std::filesystem::path system_state = "/var/lib/eventmgr";
    std::error_code ec;
    if (::geteuid() != 0 && !context.state_dir && !context.config_file && config.config_file.empty() &&
        config.state_dir != system_state && std::filesystem::exists(system_state, ec)) {
      std::cout << "note:      this is your own state dir; the system daemon's is " << system_state.string()
                << ": eventmgr --state-dir " << system_state.string()
                << " status (root, or a member of its pipe_group, may read it)\n";
    }
  }
  if (backlog) {
    std::cout << "pending:   " << backlog->count << " events, oldest " << age(backlog->oldest_received_at, now)
              << "\n";
  }
  std::cout << "pickup:    " << pickup.files << " files waiting, oldest " << age(pickup.oldest_ms, now)
            << (pickup.error.empty() ? "" : " (cannot read the directory: " + pickup.error + ")") << "\n";
  if (counters) {
    std::cout << "records:   " << counters->accepted << " accepted, " << counters->rejected << " rejected, "
              << counters->duplicate << " duplicate\n";
    std::cout << "last hour: " << last_hour->ok << " runs ok, " << last_hour->failed << " failed"
              << (last_hour->failed > 0 ? " (eventmgr log --failed lists them)" : "") << "\n";
    if (deliveries) {
      std::cout << "retries:   " << deliveries->waiting << " waiting, oldest failed "
                << age(deliveries->oldest_waiting, now) << " ago"
                << (deliveries->next_due ? ", next due " + format_local_time(*deliveries->next_due)
                                         : std::string())
                << "\n";
      std::cout << "dead:      " << deliveries->dead << " dead letters, oldest "
                << age(deliveries->oldest_dead, now)
                << (deliveries->dead > 0 ? " (eventmgr dead lists them)" : "") << "\n";
    }
    // The daemon's own errors (storage, intake, start-up), not handler failures. The daemon
    // stores it escaped; escaped again here for a database written by an older one.
    std::cout << "daemon error: " << (last_error ? "last " + printable(*last_error) : std::string("none")) << "\n";
  } else {
    std::cout << "database:  " << database_problem << "\n";
  }
  return running ? k_exit_ok : k_exit_unreachable;
}

} // namespace

void add_status_command(CLI::App& app, Context& context) {
  auto* sub = app.add_subcommand("status", "is the daemon running, what waits, what failed (exit 3 when not running)");
  set_action(sub, [&context]() { return status(context); });
}

} // namespace eventmgr::cli
