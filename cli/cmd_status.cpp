// SPDX-License-Identifier: MIT
// `eventmgr status`: is the daemon up, what waits, what ran in the last hour, the last error.
#include "cli/app.hpp"
#include "cli/fleet_status.hpp"
#include "cli/table.hpp"
#include "common/clock.hpp"
#include "events/journal.hpp"
#include "events/panel_files.hpp"
#include "handlers/delivery_store.hpp"
#include "handlers/run_log.hpp"
#include "manage/status.hpp"

#include <boost/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <iostream>

namespace eventmgr::cli {
namespace {

namespace json = boost::json;

std::string age(std::optional<std::int64_t> since, std::int64_t now) {
  return since ? format_duration(std::max<std::int64_t>(0, now - *since)) : "-";
}

int status(Context& context) {
  const Config& config = context.config();
  std::int64_t now = now_ms();
  manage::StatusFacts facts = manage::read_status(config, now);
  bool running = facts.running;
  const manage::PickupBacklog& pickup = facts.pickup;
  const auto& counters = facts.counters;
  const auto& backlog = facts.backlog;
  const auto& last_hour = facts.last_hour;
  const auto& started_at = facts.started_at;
  const auto& pid = facts.pid;
  const auto& last_error = facts.last_error;
  const std::string& database_problem = facts.database_problem;
  std::optional<sqlite::Database> journal_db; // for the fleet's lines
  if (config.forward || config.intake_nats) {
    if (auto db = events::open_database(config.database, events::OpenFor::read_only); db) {
      journal_db = std::move(db.value());
    }
  }
  std::optional<handlers::DeliveryCounts> deliveries; // retries waiting and dead letters
  if (std::filesystem::exists(config.database)) {
    if (auto db = events::open_database(config.database, events::OpenFor::read_only); db) {
      deliveries = handlers::DeliveryStore(*db).counts();
    }
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
    if (journal_db) {
      add_fleet_status(out, config, *journal_db, now);
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
  if (journal_db) {
    print_fleet_status(std::cout, config, *journal_db, now);
  }
  return running ? k_exit_ok : k_exit_unreachable;
}

} // namespace

void add_status_command(CLI::App& app, Context& context) {
  auto* sub = app.add_subcommand("status", "is the daemon running, what waits, what failed (exit 3 when not running)");
  set_action(sub, [&context]() { return status(context); });
}

} // namespace eventmgr::cli
