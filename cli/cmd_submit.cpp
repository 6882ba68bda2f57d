// SPDX-License-Identifier: MIT
// `eventmgr submit`: validate a record against the catalog, then hand it to the daemon through
// the pipe or the pickup directory (SPEC 4.4).
#include "cli/app.hpp"
#include "cli/delivery.hpp"
#include "cli/table.hpp"
#include "common/clock.hpp"
#include "events/database.hpp"
#include "events/record.hpp"

#include <boost/json.hpp>

#include <unistd.h>

#include <iostream>
#include <iterator>
#include <thread>

namespace eventmgr::cli {
namespace {

namespace json = boost::json;

struct SubmitOptions {
  std::string event;
  std::vector<std::string> assignments; // new.KEY=VALUE / old.KEY=VALUE
  std::string id;
  std::string json_record;              // --json RECORD or "-" for stdin
  std::string via;                      // pipe | pickup | "" (automatic)
  int wait_seconds = -1;                // --wait[=SECONDS]; -1: do not wait
};

// The record the user described, as a JSON object (not yet validated).
json::object build_record(const SubmitOptions& options) {
  json::object record;
  if (!options.json_record.empty()) {
    std::string text = options.json_record;
    if (text == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
      }
    }
    boost::system::error_code ec;
    json::value value = json::parse(text, ec);
    if (ec || !value.is_object()) {
      throw CommandError{k_exit_usage, "--json: not a JSON object" + (ec ? ": " + ec.message() : std::string())};
    }
    record = value.as_object();
  }
  if (!options.event.empty()) {
    record["event"] = options.event;
  }
  for (const auto& assignment : options.assignments) {
    std::size_t dot = assignment.find('.');
    std::size_t equals = assignment.find('=');
    std::string side = dot == std::string::npos ? "" : assignment.substr(0, dot);
    if (equals == std::string::npos || dot > equals || (side != "new" && side != "old")) {
      throw CommandError{k_exit_usage, "'" + assignment + "': write new.KEY=VALUE or old.KEY=VALUE"};
    }
    std::string key = assignment.substr(dot + 1, equals - dot - 1);
    json::value& object = record[side];
    if (!object.is_object()) {
      object = json::object();
    }
    object.as_object()[key] = assignment.substr(equals + 1);
  }
  if (!options.id.empty()) {
    record["id"] = options.id;
  }
  if (!record.contains("id")) {
    record["id"] = "cli-" + std::to_string(now_ms()) + "-" + random_hex(6);
  }
  if (!record.contains("source")) {
    record["source"] = "eventmgr submit";
  }
  return record;
}

// Waits until the daemon has taken `file` (it unlinks a file after journaling its records)
// and reports the journal's event id when the database is readable.
int wait_for_journal(Context& context, const std::filesystem::path& file, const std::string& id, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (::access(file.c_str(), F_OK) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      std::cerr << "eventmgr: record " << printable(id) << " was not journaled within " << seconds
                << "s (is eventmgrd running?); it stays in " << file.string()
                << " and runs after the daemon starts\n";
      return k_exit_unreachable;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::optional<std::int64_t> seq;
  auto db = events::open_database(context.config().database, events::OpenFor::read_only);
  if (db) {
    auto find = db->prepare("SELECT seq FROM events WHERE submit_id = ?1");
    find.bind(1, id);
    if (find.step()) {
      seq = find.column_int(0);
    }
    if (!seq) {
      std::cerr << "eventmgr: the daemon took record " << printable(id)
                << " but did not journal it; eventmgr rejected shows why\n";
      return k_exit_failure;
    }
  }
  if (context.json) {
    json::object out{{"id", id}, {"via", "pickup"}, {"journaled", true}};
    if (seq) {
      out["event_id"] = *seq;
    }
    std::cout << json_text(out) << "\n";
  } else {
    std::cout << printable(id)
              << (seq ? " journaled as event " + std::to_string(*seq) : std::string(" journaled")) << "\n";
  }
  return k_exit_ok;
}

int submit(Context& context, const SubmitOptions& options) {
  if (options.event.empty() && options.json_record.empty()) {
    throw CommandError{k_exit_usage, "name the event (eventmgr submit EVENT new.KEY=VALUE...) or give --json RECORD"};
  }
  json::object record = build_record(options);
  std::string line = json::serialize(record);
  // The daemon decides, but the same rules here catch a mistake before it is sent.
  auto parsed = events::parse_record(line, context.catalog());
  if (!parsed) {
    throw CommandError{k_exit_usage, "invalid record: " + parsed.error().message};
  }
  for (const auto& warning : parsed->warnings) {
    std::cerr << "eventmgr: warning: " << printable(warning) << "\n";
  }
  std::string id = parsed->event.submit_id;
  line += '\n';

  const Config& config = context.config();
  bool fits = line.size() <= events::k_max_pipe_record;
  if (options.via == "pipe" && !fits) {
    throw CommandError{k_exit_usage, "record is " + std::to_string(line.size()) +
                                       " bytes; the pipe takes at most 4096; use --via pickup"};
  }
  if (line.size() > events::k_max_pickup_file) {
    throw CommandError{k_exit_usage, "record is " + std::to_string(line.size()) + " bytes; the limit is 1048576"};
  }
  std::string via = options.via;
  if (options.wait_seconds >= 0) {
    if (via == "pipe") {
      throw CommandError{k_exit_usage, "--wait uses the pickup directory; drop --via pipe"};
    }
    via = "pickup";
  }
  if (via.empty() || via == "pipe") {
    if (fits && send_through_pipe(config, line)) {
      via = "pipe";
    } else if (via == "pipe") {
      throw CommandError{k_exit_unreachable, "no daemon reads pipe " + config.pipe.string() +
                                               " (is eventmgrd running?); --via pickup keeps the record until it starts"};
    } else {
      via = "pickup";
    }
  }
  if (via == "pickup") {
    auto file = send_through_pickup(config, line);
    if (options.wait_seconds >= 0) {
      return wait_for_journal(context, file, id, options.wait_seconds);
    }
  }
  if (context.json) {
    std::cout << json_text(json::object{{"id", id}, {"via", via}}) << "\n";
  } else {
    std::cout << printable(id) << "\n";
  }
  return k_exit_ok;
}

} // namespace

void add_submit_command(CLI::App& app, Context& context) {
  auto options = std::make_shared<SubmitOptions>();
  auto* sub = app.add_subcommand("submit", "submit an event to the daemon");
  sub->add_option("event", options->event, "the event, e.g. client_create");
  sub->add_option("values", options->assignments, "new.KEY=VALUE or old.KEY=VALUE, KEY a base parameter name");
  sub->add_option("--id", options->id, "idempotency key (default: generated and printed)");
  sub->add_option("--json", options->json_record, "the whole record as JSON, or - to read it from stdin");
  sub->add_option("--via", options->via, "pipe or pickup (default: the pipe when a daemon reads it)")
    ->check(CLI::IsMember({"pipe", "pickup"}));
  auto wait = std::make_shared<std::string>();
  auto* wait_option = sub->add_option("--wait", *wait, "--wait[=SECONDS]: return once the daemon journaled it "
                                                       "(default 10 s; exit 3 on time-out)")
                        ->expected(0, 1);
  set_action(sub, [&context, options, wait, wait_option]() {
    if (wait_option->count() > 0) {
      options->wait_seconds = 10;
      if (!wait->empty()) {
        try {
          options->wait_seconds = std::stoi(*wait);
        } catch (const std::exception&) {
          options->wait_seconds = -1;
        }
        if (options->wait_seconds < 0 || options->wait_seconds > 86400) {
          throw CommandError{k_exit_usage, "--wait=" + *wait + ": give seconds, 0..86400"};
        }
      }
    }
    return submit(context, *options);
  });
}

} // namespace eventmgr::cli
