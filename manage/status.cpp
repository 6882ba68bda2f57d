// SPDX-License-Identifier: MIT
#include "manage/status.hpp"

#include "common/state_lock.hpp"
#include "events/database.hpp"
#include "events/panel_files.hpp"

#include <sys/stat.h>

namespace eventmgr::manage {

PickupBacklog pickup_backlog(const std::filesystem::path& dir) {
  PickupBacklog backlog;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || entry.path().extension() != ".json") {
      continue;
    }
    struct stat st {};
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

StatusFacts read_status(const Config& config, std::int64_t now) {
  StatusFacts facts;
  facts.running = daemon_running(config);
  facts.pickup = pickup_backlog(config.pickup_dir);
  if (!std::filesystem::exists(config.database)) {
    facts.database_problem = "no database yet (the daemon creates it at its first start)";
  } else if (auto db = events::open_database(config.database, events::OpenFor::read_only); !db) {
    // Not the daemon's user (the panel): the journal is private; the daemon's status file has
    // the figures, as of their last change, and says whether the daemon runs.
    auto read = events::read_status_file(events::status_file_path(config.state_dir));
    if (!read) {
      facts.database_problem = db.error().message + "; " + read.error().message;
    } else {
      const events::DaemonStatus& from_daemon = read->status;
      facts.running = facts.running || read->live;
      facts.counters = from_daemon.counters;
      facts.backlog = from_daemon.backlog;
      facts.last_hour = handlers::RunCounts{from_daemon.runs_ok_last_hour, from_daemon.runs_failed_last_hour};
      facts.started_at = std::to_string(from_daemon.started_at);
      facts.pid = std::to_string(from_daemon.pid);
      if (!from_daemon.last_error.empty()) {
        facts.last_error = from_daemon.last_error;
      }
      if (!facts.pickup.error.empty()) { // the group may add pickup files, not list them
        facts.pickup = PickupBacklog{from_daemon.pickup_files, from_daemon.pickup_oldest, {}};
      }
    }
  } else {
    events::Journal journal(*db);
    handlers::RunLog runs(*db);
    facts.counters = journal.counters();
    facts.backlog = journal.backlog();
    facts.last_hour = runs.ok_failed_since(now - 3'600'000);
    facts.started_at = journal.get_daemon_state("started_at");
    facts.pid = journal.get_daemon_state("pid");
    facts.last_error = journal.get_daemon_state("last_error");
  }
  return facts;
}

} // namespace eventmgr::manage
