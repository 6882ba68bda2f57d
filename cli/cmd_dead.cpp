// SPDX-License-Identifier: MIT
// `eventmgr dead`: runs whose retries are spent (dead letters); `dead retry` queues them to run
// again, `dead drop` marks them handled without running (docs/RELIABILITY.md).
#include "cli/app.hpp"
#include "cli/table.hpp"
#include "common/clock.hpp"
#include "events/database.hpp"
#include "manage/dead_letters.hpp"

#include <boost/json.hpp>

#include <iostream>

namespace eventmgr::cli {
namespace {

namespace json = boost::json;
using handlers::DeliveryRow;

json::object dead_json(const DeliveryRow& row) {
  return json::object{{"id", row.id},
                      {"event_id", row.event_seq},
                      {"event", row.event},
                      {"handler_id", row.handler_id},
                      {"attempts", row.tries},
                      {"last_attempt", row.last_attempt},
                      {"last_run_id", row.last_run_id},
                      {"last_result", row.last_result},
                      {"first_failed_at", format_rfc3339(row.first_failed_at)},
                      {"last_failed_at", format_rfc3339(row.last_failed_at)}};
}

// Which dead letters `retry` and `drop` act on.
struct Selection {
  std::vector<std::int64_t> ids;
  std::int64_t handler_id = 0;
  std::string since;
  bool all = false;
  CLI::Option* o_handler = nullptr;
};

handlers::DeliveryFilter filter_of(const Selection& selection, const char* verb) {
  const bool by_handler = selection.o_handler != nullptr && selection.o_handler->count() > 0;
  if (selection.ids.empty() && !by_handler && selection.since.empty() && !selection.all) {
    throw CommandError{k_exit_usage, std::string("say which dead letters to ") + verb +
                                         ": IDs (eventmgr dead lists them), --handler ID, --since 2h|TIME, "
                                         "or --all"};
  }
  handlers::DeliveryFilter filter;
  filter.ids = selection.ids;
  if (by_handler) {
    filter.handler_id = selection.handler_id;
  }
  if (!selection.since.empty()) {
    filter.since = parse_since(selection.since);
  }
  return filter;
}

int list(Context& context) {
  auto db = context.database(events::OpenFor::read_only);
  auto rows = manage::list_dead(db, {});
  if (context.json) {
    json::array out;
    for (const auto& row : rows) {
      out.push_back(dead_json(row));
    }
    std::cout << json_text(out) << "\n";
    return k_exit_ok;
  }
  if (rows.empty()) {
    std::cerr << "no dead letters\n";
    return k_exit_ok;
  }
  Table table(
      {"ID", "EVENT-ID", "EVENT", "HANDLER", "ATTEMPTS", "LAST RESULT", "FIRST FAILED", "LAST FAILED"});
  for (const auto& row : rows) {
    table.add({std::to_string(row.id), std::to_string(row.event_seq), row.event,
               std::to_string(row.handler_id), std::to_string(row.tries), row.last_result,
               format_local_time(row.first_failed_at), format_local_time(row.last_failed_at)});
  }
  table.print(std::cout);
  std::cout << "eventmgr dead retry ID... runs them again; eventmgr dead drop ID... marks them handled\n";
  return k_exit_ok;
}

enum class Verb { retry, drop };

int change(Context& context, const Selection& selection, Verb verb) {
  const char* word = verb == Verb::retry ? "retry" : "drop";
  handlers::DeliveryFilter filter = filter_of(selection, word);
  auto db = context.database(events::OpenFor::cli);
  manage::DeadLetterChange result =
      verb == Verb::retry ? manage::retry_dead(db, filter) : manage::drop_dead(db, filter);
  if (context.json) {
    json::array changed;
    for (const auto& row : result.changed) {
      changed.push_back(dead_json(row));
    }
    json::array unknown;
    for (std::int64_t id : result.unknown) {
      unknown.push_back(id);
    }
    std::cout << json_text(json::object{{verb == Verb::retry ? "retried" : "dropped", changed},
                                        {"unknown", unknown}})
              << "\n";
  } else {
    for (const auto& row : result.changed) {
      std::cout << (verb == Verb::retry ? "queued dead letter " : "dropped dead letter ") << row.id
                << ": event " << row.event_seq << " (" << printable(row.event) << ") handler "
                << row.handler_id << "\n";
    }
    if (result.changed.empty() && result.unknown.empty()) {
      std::cout << "no dead letters matched\n";
    }
    for (std::int64_t id : result.unknown) {
      std::cerr << "eventmgr: no dead letter " << id << " (eventmgr dead lists them)\n";
    }
  }
  return result.unknown.empty() ? k_exit_ok : k_exit_failure;
}

void add_selection(CLI::App* sub, Selection& selection) {
  sub->add_option("ids", selection.ids, "dead letter ids (the ID column of eventmgr dead)");
  selection.o_handler =
      sub->add_option("--handler", selection.handler_id, "every dead letter of this handler")
          ->check(CLI::PositiveNumber);
  sub->add_option("--since", selection.since, "those that died since 2h, 1d, ... or an RFC 3339 time");
  sub->add_flag("--all", selection.all, "every dead letter");
}

} // namespace

void add_dead_commands(CLI::App& app, Context& context) {
  auto* dead = app.add_subcommand("dead", "runs whose retries are spent (dead letters): list, retry, drop");
  set_action(dead, [&context]() { return list(context); });
  auto* retry =
      dead->add_subcommand("retry", "queue dead letters to run again, as new attempts with new retries");
  auto retry_selection = std::make_shared<Selection>();
  add_selection(retry, *retry_selection);
  set_action(retry, [&context, retry_selection]() { return change(context, *retry_selection, Verb::retry); });
  auto* drop = dead->add_subcommand("drop", "mark dead letters handled without running them");
  auto drop_selection = std::make_shared<Selection>();
  add_selection(drop, *drop_selection);
  set_action(drop, [&context, drop_selection]() { return change(context, *drop_selection, Verb::drop); });
}

} // namespace eventmgr::cli
