// SPDX-License-Identifier: MIT
#include "manage/replay.hpp"

#include "common/text.hpp"
#include "events/journal.hpp"
#include "events/replay_queue.hpp"
#include "handlers/handler_store.hpp"

#include <algorithm>

namespace eventmgr::manage {
namespace {

// The journal's event id for `which`: digits are an event id, anything else a record's id.
std::optional<std::int64_t> find_event(sqlite::Database& db, const std::string& which) {
  bool digits = !which.empty() && which.size() <= 18 &&
                std::all_of(which.begin(), which.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits && std::stoll(which) > 0) {
    return std::stoll(which);
  }
  return events::Journal(db).seq_of(which);
}

} // namespace

Result<ReplayQueued> request_replay(sqlite::Database& db, const std::string& which,
                                    std::optional<std::int64_t> handler_id) {
  auto event_seq = find_event(db, which);
  if (!event_seq) {
    return make_error("no event with id or record id '" + escape_control(which) +
                      "' (pruned, not journaled yet, or never sent; eventmgr received lists them)");
  }
  events::Journal journal(db);
  auto event = journal.get(*event_seq);
  if (!event) {
    return make_error("no event " + std::to_string(*event_seq) + " (pruned, or never journaled)");
  }
  if (handler_id) {
    handlers::HandlerStore store(db);
    auto handler = store.get(*handler_id);
    if (!handler) {
      return make_error("no handler with id " + std::to_string(*handler_id) +
                        " (eventmgr handler list shows them)");
    }
    if (handler->event != event->event) {
      return make_error("handler " + std::to_string(*handler_id) + " handles " + handler->event + ", not " +
                        event->event);
    }
  }
  events::ReplayQueue queue(db);
  ReplayQueued queued;
  queued.request = queue.request(*event_seq, handler_id);
  queued.event_seq = *event_seq;
  queued.event = event->event;
  queued.handler_id = handler_id;
  return queued;
}

} // namespace eventmgr::manage
