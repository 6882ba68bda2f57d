// SPDX-License-Identifier: MIT
// `eventmgr received`: every event the daemon journaled and what became of it, including the
// events that matched no handler (`eventmgr log` lists runs, so those appear nowhere else).
#include "cli/app.hpp"
#include "cli/table.hpp"
#include "common/clock.hpp"
#include "common/text.hpp"
#include "events/event_json.hpp"
#include "events/received.hpp"
#include "manage/skips.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <iostream>
#include <map>

namespace eventmgr::cli {
namespace {

namespace json = boost::json;

struct ReceivedOptions {
  std::string event;
  std::string id;
  std::string via;
  std::string source;
  std::string since;
  bool pending = false;
  bool unhandled = false;
  std::size_t limit = 50;
};

const std::vector<std::string> k_vias = {"pipe", "pickup", "cli", "replay"};

// The value of the event's key parameter (the object it is about: a login, a domain), new
// side first; "" when the catalog no longer has the event or the journal form does not parse.
std::string object_of(const events::Catalog& catalog, const events::ReceivedEvent& row) {
  const events::EventDef* def = catalog.find(row.entry.event);
  if (def == nullptr || def->key.empty()) {
    return "";
  }
  auto event = events::from_json(row.entry.payload, catalog, events::Fill::given);
  if (!event) {
    return "";
  }
  for (const auto* side : {&event->new_values, &event->old_values}) {
    auto found = side->find(def->key);
    if (found != side->end() && !found->second.empty()) {
      return found->second;
    }
  }
  return "";
}

// What became of the event: "pending", "running", "no handler", or the runs' outcomes and the
// handlers skipped because their condition did not hold.
std::string outcome(const events::ReceivedEvent& row, std::size_t skipped) {
  std::vector<std::string> parts;
  if (row.runs_ok > 0) {
    parts.push_back(std::to_string(row.runs_ok) + " ok");
  }
  if (row.runs_failed > 0) {
    parts.push_back(std::to_string(row.runs_failed) + " failed");
  }
  if (row.runs_interrupted > 0) {
    parts.push_back(std::to_string(row.runs_interrupted) + " interrupted");
  }
  if (row.runs_running > 0) {
    parts.push_back(std::to_string(row.runs_running) + " running");
  }
  if (skipped > 0) {
    parts.push_back(std::to_string(skipped) + " skipped");
  }
  if (row.entry.state != events::EventState::done) {
    parts.insert(parts.begin(), std::string(events::to_string(row.entry.state)));
  } else if (parts.empty()) {
    parts.push_back("no handler");
  }
  return join(parts, ", ");
}

json::array skipped_json(const std::vector<manage::SkippedHandler>& skipped) {
  json::array out;
  for (const auto& skip : skipped) {
    out.push_back(json::object{{"handler_id", skip.handler_id}, {"if", to_valid_utf8(skip.condition)}});
  }
  return out;
}

events::ReceivedFilter make_filter(Context& context, const ReceivedOptions& options) {
  if (options.limit == 0) {
    throw CommandError{k_exit_usage, "--limit must be at least 1"};
  }
  events::ReceivedFilter filter;
  if (!options.event.empty()) {
    if (context.catalog().find(options.event) == nullptr) {
      throw CommandError{k_exit_usage, unknown_event_message(context.catalog(), options.event)};
    }
    filter.event = options.event;
  }
  if (!options.id.empty()) {
    filter.submit_id = options.id;
  }
  if (!options.via.empty()) {
    if (std::find(k_vias.begin(), k_vias.end(), options.via) == k_vias.end()) {
      throw CommandError{k_exit_usage, "--via '" + printable(options.via) + "': give " + join(k_vias, ", ")};
    }
    filter.via = options.via;
  }
  if (!options.source.empty()) {
    filter.source = options.source;
  }
  if (!options.since.empty()) {
    filter.since = parse_since(options.since);
  }
  filter.unfinished_only = options.pending;
  filter.without_runs_only = options.unhandled;
  filter.limit = options.limit;
  return filter;
}

int list_received(Context& context, const ReceivedOptions& options) {
  if (options.pending && options.unhandled) {
    throw CommandError{k_exit_usage,
                       "--pending and --unhandled exclude each other: an unhandled event is finished"};
  }
  events::ReceivedFilter filter = make_filter(context, options);
  auto db = context.database(events::OpenFor::read_only);
  auto rows = events::list_received(db, filter);
  // Oldest first, the newest at the bottom, as `eventmgr log` reads.
  std::reverse(rows.begin(), rows.end());
  const events::Catalog& catalog = context.catalog();
  // The handlers each listed event skipped (its condition did not hold): one more query.
  std::map<std::int64_t, std::vector<manage::SkippedHandler>> skips;
  if (!rows.empty()) {
    skips = manage::skips_between(db, rows.front().entry.seq, rows.back().entry.seq);
  }
  auto skips_of = [&skips](std::int64_t seq) {
    auto found = skips.find(seq);
    return found == skips.end() ? std::vector<manage::SkippedHandler>() : found->second;
  };
  if (context.json) {
    json::array out;
    for (const auto& row : rows) {
      out.push_back(json::object{
          {"event_id", row.entry.seq},
          {"event", to_valid_utf8(row.entry.event)},
          {"object", to_valid_utf8(object_of(catalog, row))},
          {"id", row.submit_id.empty() ? json::value(nullptr) : json::value(to_valid_utf8(row.submit_id))},
          {"via", row.entry.via},
          {"source", to_valid_utf8(row.entry.source)},
          {"received_at", format_rfc3339(row.entry.received_at)},
          {"state", std::string(events::to_string(row.entry.state))},
          {"finished_at",
           row.entry.finished_at ? json::value(format_rfc3339(*row.entry.finished_at)) : nullptr},
          {"runs", json::object{{"ok", row.runs_ok},
                                {"failed", row.runs_failed},
                                {"interrupted", row.runs_interrupted},
                                {"running", row.runs_running}}},
          {"skipped", skipped_json(skips_of(row.entry.seq))}});
    }
    std::cout << json_text(out) << "\n";
    return k_exit_ok;
  }
  if (rows.empty()) {
    bool filtered = filter.event || filter.submit_id || filter.via || filter.source || filter.since ||
                    filter.unfinished_only || filter.without_runs_only;
    std::cout << (filtered ? "no received events match" : "no events received") << "\n";
    return k_exit_ok;
  }
  Table table({"TIME", "EVENT-ID", "EVENT", "OBJECT", "ID", "VIA", "OUTCOME"});
  for (const auto& row : rows) {
    std::string object = object_of(catalog, row);
    table.add({format_local_time(row.entry.received_at), std::to_string(row.entry.seq),
               printable(row.entry.event), object.empty() ? "-" : printable(object),
               row.submit_id.empty() ? "-" : printable(row.submit_id), row.entry.via,
               outcome(row, skips_of(row.entry.seq).size())});
  }
  table.print(std::cout);
  // One event (`--id`, `--limit 1`): why each skipped handler did not run. A listing of many
  // keeps to one line per event; `eventmgr log --skipped` lists every skip.
  if (rows.size() == 1) {
    for (const auto& skip : skips_of(rows.front().entry.seq)) {
      std::cout << "skipped handler " << skip.handler_id << ": if " << printable(skip.condition)
                << " did not hold\n";
    }
  }
  return k_exit_ok;
}

} // namespace

void add_received_command(CLI::App& app, Context& context) {
  auto options = std::make_shared<ReceivedOptions>();
  auto* sub = app.add_subcommand("received", "events the daemon journaled and what became of them, including "
                                             "those no handler matched (oldest first)");
  sub->add_option("--event", options->event, "only this event");
  sub->add_option("--id", options->id, "only the record with this id (the submitter's idempotency key)");
  sub->add_option("--via", options->via, "only events that came this way: pipe, pickup, cli or replay");
  sub->add_option("--source", options->source, "only events with this source");
  sub->add_option("--since", options->since,
                  "only events received since: a duration (2h, 30m, 7d) or a time");
  sub->add_flag("--pending", options->pending, "only events not finished yet (pending or running)");
  sub->add_flag("--unhandled", options->unhandled, "only finished events that ran no handler");
  sub->add_option("--limit", options->limit, "at most N events, the newest (default 50)");
  set_action(sub, [&context, options]() { return list_received(context, *options); });
}

} // namespace eventmgr::cli
