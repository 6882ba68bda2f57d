// SPDX-License-Identifier: MIT
#include "cli/fleet_status.hpp"

#include "cli/table.hpp"
#include "common/clock.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace eventmgr::cli {
namespace json = boost::json;

std::int64_t ForwardReport::age_ms(std::int64_t now) const {
  return lag.oldest_received_at ? std::max<std::int64_t>(0, now - *lag.oldest_received_at) : 0;
}

ForwardReport read_forward(sqlite::Database& db) {
  events::FleetState fleet(db);
  ForwardReport report;
  report.state = fleet.forward();
  report.lag = fleet.lag(report.state.cursor);
  return report;
}

void print_fleet_status(std::ostream& out, const Config& config, sqlite::Database& db, std::int64_t now) {
  events::FleetState fleet(db);
  if (config.forward) {
    const ForwardReport forward = read_forward(db);
    out << "forward:   " << printable(forward.state.state) << " (stream " << config.forward->stream << " at "
        << printable(config.forward->nats.url) << ", host " << config.forward->host
        << "), forwarded up to event " << forward.state.cursor << "\n";
    out << "lag:       " << forward.lag.events << " events"
        << (forward.lag.events > 0 ? ", oldest " + format_duration(forward.age_ms(now)) : std::string())
        << "\n";
    out << "forward error: "
        << (forward.state.last_error
                ? "last " +
                      (forward.state.last_error_at ? format_local_time(*forward.state.last_error_at) + " "
                                                   : std::string()) +
                      printable(*forward.state.last_error)
                : std::string("none"))
        << "\n";
  }
  const auto sources = fleet.sources();
  if (!sources.empty()) {
    out << "sources:   " << sources.size() << (sources.size() == 1 ? " host" : " hosts") << " via NATS\n";
    Table table({"HOST", "RECEIVED", "NEWEST", "AGE"});
    for (const auto& source : sources) {
      table.add({source.host, std::to_string(source.received), source.newest_id,
                 format_duration(std::max<std::int64_t>(0, now - source.newest_at))});
    }
    table.print(out);
  }
}

void add_fleet_status(json::object& out, const Config& config, sqlite::Database& db, std::int64_t now) {
  events::FleetState fleet(db);
  if (config.forward) {
    const ForwardReport forward = read_forward(db);
    out["forward"] =
        json::object{{"state", forward.state.state},
                     {"stream", config.forward->stream},
                     {"host", config.forward->host},
                     {"cursor", forward.state.cursor},
                     {"lag_events", forward.lag.events},
                     {"lag_oldest_age_ms", forward.lag.oldest_received_at ? json::value(forward.age_ms(now))
                                                                          : json::value(nullptr)},
                     {"last_error", forward.state.last_error ? json::value(*forward.state.last_error)
                                                             : json::value(nullptr)},
                     {"last_error_at", forward.state.last_error_at
                                           ? json::value(format_rfc3339(*forward.state.last_error_at))
                                           : json::value(nullptr)}};
  }
  json::array sources;
  for (const auto& source : fleet.sources()) {
    sources.push_back(json::object{{"host", source.host},
                                   {"received", source.received},
                                   {"newest_id", source.newest_id},
                                   {"newest_at", format_rfc3339(source.newest_at)}});
  }
  if (!sources.empty()) {
    out["sources"] = std::move(sources);
  }
}

} // namespace eventmgr::cli
