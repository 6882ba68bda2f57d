// SPDX-License-Identifier: MIT
// `eventmgr prune`: the retention of docs/RELIABILITY.md, now (the daemon also runs it hourly).
#include "cli/app.hpp"
#include "cli/table.hpp"
#include "common/clock.hpp"
#include "events/database.hpp"
#include "events/journal.hpp"

#include <boost/json.hpp>

#include <iostream>

namespace eventmgr::cli {
namespace {

namespace json = boost::json;

int prune(Context& context, const std::string& older_than, bool dry_run) {
  const Config& config = context.config();
  std::int64_t age = static_cast<std::int64_t>(config.retention_days) * 86'400'000;
  std::string age_text = std::to_string(config.retention_days) + "d";
  if (!older_than.empty()) {
    auto parsed = parse_duration(older_than);
    if (!parsed) {
      throw CommandError{k_exit_usage, "--older-than '" + older_than + "': give a duration like 90s, 15m, 2h or 30d"};
    }
    age = *parsed;
    age_text = older_than;
  }
  auto db = events::open_database(config.database, events::OpenFor::cli);
  if (!db) {
    throw CommandError{k_exit_failure, db.error().message};
  }
  events::Journal journal(*db);
  std::int64_t cutoff = now_ms() - age;
  // Only finished events go (with their runs): a pending event is never pruned, however old.
  events::PruneCounts counts = journal.prune(cutoff, dry_run ? events::PruneMode::dry_run : events::PruneMode::apply);
  if (context.json) {
    std::cout << json_text(json::object{{"older_than", age_text},
                                              {"cutoff", format_rfc3339(cutoff)},
                                              {"events", counts.events},
                                              {"runs", counts.runs},
                                              {"rejected", counts.rejected},
                                              {"dry_run", dry_run}})
              << "\n";
  } else {
    std::cout << (dry_run ? "would prune " : "pruned ") << counts.events << " events, " << counts.runs << " runs and " << counts.rejected
              << " rejected records older than " << age_text << " (before " << format_local_time(cutoff) << ")"
              << (dry_run ? "; nothing deleted (--dry-run)\n" : "\n");
  }
  return k_exit_ok;
}

} // namespace

void add_prune_command(CLI::App& app, Context& context) {
  auto older_than = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("prune", "delete finished events, their runs and rejected records older than "
                                          "the retention (retention_days, default 30)");
  auto dry_run = std::make_shared<bool>(false);
  sub->add_option("--older-than", *older_than, "a duration (90s, 15m, 2h, 30d) instead of retention_days");
  sub->add_flag("--dry-run", *dry_run, "count what would be deleted, delete nothing");
  set_action(sub, [&context, older_than, dry_run]() { return prune(context, *older_than, *dry_run); });
}

} // namespace eventmgr::cli
