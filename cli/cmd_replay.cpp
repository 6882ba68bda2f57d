// SPDX-License-Identifier: MIT
// `eventmgr replay EVENT [--handler ID]`: ask the daemon to run an event's handlers again; EVENT is
// the journal's event id or the record's own id (what `eventmgr submit` printed).
#include "cli/app.hpp"
#include "cli/table.hpp"
#include "events/database.hpp"
#include "events/journal.hpp"
#include "events/replay_queue.hpp"
#include "handlers/handler_store.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <iostream>

namespace eventmgr::cli {
namespace {

// The journal's event id for `which`: digits are an event id, anything else a record's id.
std::int64_t find_event(sqlite::Database& db, const std::string& which) {
  bool digits = !which.empty() && which.size() <= 18 &&
                std::all_of(which.begin(), which.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits && std::stoll(which) > 0) {
    return std::stoll(which);
  }
  if (auto seq = events::Journal(db).seq_of(which)) {
    return *seq;
  }
  throw CommandError{k_exit_usage, "no event with id or record id '" + printable(which) +
                                     "' (pruned, not journaled yet, or never sent; eventmgr received lists them)"};
}

int replay(Context& context, const std::string& which, std::optional<std::int64_t> handler_id) {
  sqlite::Database db = context.database(events::OpenFor::cli);
  std::int64_t event_seq = find_event(db, which);
  events::Journal journal(db);
  auto event = journal.get(event_seq);
  if (!event) {
    throw CommandError{k_exit_usage, "no event " + std::to_string(event_seq) + " (pruned, or never journaled)"};
  }
  if (handler_id) {
    handlers::HandlerStore store(db);
    auto handler = store.get(*handler_id);
    if (!handler) {
      throw CommandError{k_exit_usage, "no handler with id " + std::to_string(*handler_id) +
                                         " (eventmgr handler list shows them)"};
    }
    if (handler->event != event->event) {
      throw CommandError{k_exit_usage, "handler " + std::to_string(*handler_id) + " handles " + handler->event +
                                         ", not " + event->event};
    }
  }
  events::ReplayQueue queue(db);
  std::int64_t request = queue.request(event_seq, handler_id);
  if (context.json) {
    boost::json::object out{{"request", request}, {"event_id", event_seq}, {"event", event->event}};
    if (handler_id) {
      out["handler_id"] = *handler_id;
    }
    std::cout << json_text(out) << "\n";
  } else {
    std::cout << "replay of event " << event_seq << " (" << printable(event->event) << ")"
              << (handler_id ? ", handler " + std::to_string(*handler_id)
                             : std::string(", all enabled handlers"))
              << " queued; eventmgr log --event " << printable(event->event) << " shows the new attempt\n";
  }
  return k_exit_ok;
}

} // namespace

void add_replay_command(CLI::App& app, Context& context) {
  auto* sub = app.add_subcommand("replay", "run an event's handlers again (recorded as new attempts)");
  auto which = std::make_shared<std::string>();
  auto handler_id = std::make_shared<std::int64_t>(0);
  sub->add_option("event", *which,
                  "the event id (the EVENT-ID column of eventmgr log and eventmgr received) or the record's id "
                  "(what eventmgr submit printed)")
      ->required();
  auto* handler_option = sub->add_option("--handler", *handler_id, "only this handler")->check(CLI::PositiveNumber);
  set_action(sub, [&context, which, handler_id, handler_option]() {
    return replay(context, *which,
                  handler_option->count() > 0 ? std::optional<std::int64_t>(*handler_id) : std::nullopt);
  });
}

} // namespace eventmgr::cli
