// SPDX-License-Identifier: MIT
// `eventmgr replay EVENT [--handler ID]`: ask the daemon to run an event's handlers again; EVENT is
// the journal's event id or the record's own id (what `eventmgr submit` printed).
#include "cli/app.hpp"
#include "cli/table.hpp"
#include "events/database.hpp"
#include "manage/replay.hpp"

#include <boost/json.hpp>

#include <iostream>

namespace eventmgr::cli {
namespace {

int replay(Context& context, const std::string& which, std::optional<std::int64_t> handler_id) {
  sqlite::Database db = context.database(events::OpenFor::cli);
  auto queued = manage::request_replay(db, which, handler_id);
  if (!queued) {
    throw CommandError{k_exit_usage, queued.error().message};
  }
  if (context.json) {
    boost::json::object out{{"request", queued->request}, {"event_id", queued->event_seq}, {"event", queued->event}};
    if (handler_id) {
      out["handler_id"] = *handler_id;
    }
    std::cout << json_text(out) << "\n";
  } else {
    std::cout << "replay of event " << queued->event_seq << " (" << printable(queued->event) << ")"
              << (handler_id ? ", handler " + std::to_string(*handler_id)
                             : std::string(", all enabled handlers"))
              << " queued; eventmgr log --event " << printable(queued->event) << " shows the new attempt\n";
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
