// SPDX-License-Identifier: MIT
// `eventmgr submit`: validate a record against the catalog, then hand it to the daemon through
// the pipe or the pickup directory (docs/PROTOCOL.md).
#include "cli/app.hpp"
#include "cli/delivery.hpp"
#include "cli/table.hpp"
#include "common/clock.hpp"
#include "common/text.hpp"
#include "events/database.hpp"
#include "events/journal.hpp"
#include "events/panel_files.hpp"
#include "events/record.hpp"

#include <boost/json.hpp>

#include <unistd.h>

extern char** environ; // NOLINT: POSIX declares it nowhere else

#include <algorithm>
#include <fstream>
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
  std::string json_record;              // --record RECORD or "-" for stdin
  std::string via;                      // pipe | pickup | "" (automatic)
  int wait_seconds = -1;                // --wait[=SECONDS]; -1: do not wait
  bool from_env = false;   // --from-env: values from Plesk's NEW_*/OLD_* variables
};

// The record Plesk describes to a handler of `event` in the environment `env` (NAME=VALUE
// strings): NEW_X / OLD_X become new.x / old.x where x is a parameter of the event; every other
// NEW_* / OLD_* variable is kept under its own name in `extra`, and so is a value on the side
// the event's kind never has (OLD_* of a create event, NEW_* of a delete event), which the
// record would drop. Variables without the prefix are the process's own environment (PATH,
// HOME, ...), not the panel's data, and are not recorded.
json::object env_record(const std::string& event, const events::EventDef* def, char** env) {
  json::object record{{"event", event}};
  json::object sides[2]; // old, new
  json::object extra;
  for (char** entry = env; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t equals = text.find('=');
    if (equals == std::string_view::npos) {
      continue;
    }
    const std::string_view name = text.substr(0, equals);
    const std::string_view value = text.substr(equals + 1);
    const bool is_old = name.starts_with("OLD_");
    if (!is_old && !name.starts_with("NEW_")) {
      continue;
    }
    std::string base(name.substr(4));
    std::transform(base.begin(), base.end(), base.begin(), [](unsigned char c) {
      return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    const bool known = def != nullptr && def->find_param(base) != nullptr;
    const bool side_never_used = def != nullptr && ((is_old && def->kind == events::EventKind::create) ||
                                                    (!is_old && def->kind == events::EventKind::remove));
    if (known && side_never_used) {
      if (!value.empty()) {
        extra[std::string(name)] = value;
      }
      continue;
    }
    if (known) {
      sides[is_old ? 0 : 1][base] = value;
    } else {
      extra[std::string(name)] = value;
    }
  }
  if (!sides[0].empty()) {
    record["old"] = std::move(sides[0]);
  }
  if (!sides[1].empty()) {
    record["new"] = std::move(sides[1]);
  }
  if (!extra.empty()) {
    record["extra"] = std::move(extra);
  }
  record["id"] = "env-" + std::to_string(now_ms()) + "-" + random_hex(6);
  record["time"] = format_rfc3339(now_ms());
  record["source"] = "eventmgr submit --from-env";
  return record;
}

// `submit --from-env EVENT`, called by the panel for each event: the record goes to the pickup
// directory (durable, also while eventmgrd is down) and the call returns once the file is in
// place. A record the catalog refuses is delivered all the same, so that the daemon keeps it
// with its reason (`eventmgr rejected`; resubmit once the catalog knows it): nothing the panel
// sent is lost; the exit status is then 1.
int submit_from_env(Context& context, const SubmitOptions& options) {
  if (!options.assignments.empty() || !options.json_record.empty()) {
    throw CommandError{k_exit_usage, "--from-env takes only the event's name: the values come from the "
                                     "environment (NEW_*, OLD_*)"};
  }
  if (options.wait_seconds >= 0) {
    throw CommandError{k_exit_usage,
                       "--from-env returns once the record is in the pickup directory; drop --wait"};
  }
  if (options.event.empty()) {
    throw CommandError{k_exit_usage,
                       "--from-env: name the event, e.g. eventmgr submit --from-env site_create"};
  }
  const events::EventDef* def = context.catalog().find(options.event);
  json::object record = env_record(options.event, def, environ);
  if (!options.id.empty()) {
    record["id"] = options.id;
  }
  const std::string id(record["id"].as_string());
  std::string line = json::serialize(record);
  std::optional<std::string> refusal;
  if (def == nullptr) {
    refusal = unknown_event_message(context.catalog(), options.event);
  } else if (auto parsed = events::parse_record(line, context.catalog()); !parsed) {
    refusal = parsed.error().message;
  }
  line += '\n';
  if (line.size() > events::k_max_pickup_file) {
    throw CommandError{k_exit_usage,
                       "record is " + std::to_string(line.size()) + " bytes; the limit is 1048576"};
  }
  const Config& config = context.config();
  std::string via = options.via.empty() ? "pickup" : options.via;
  if (via == "pipe" && (line.size() > events::k_max_pipe_record || !send_through_pipe(config, line))) {
    via = "pickup"; // the panel's event must not be lost because the daemon is down
  }
  if (via == "pickup") {
    send_through_pickup(config, line);
  }
  if (context.json) {
    std::cout << json_text(json::object{{"id", id}, {"via", via}}) << "\n";
  } else {
    std::cout << printable(id) << "\n";
  }
  if (refusal) {
    std::cerr << "eventmgr: warning: the daemon will reject record " << printable(id) << ": "
              << printable(*refusal)
              << "; it keeps it (eventmgr rejected) for a resubmit once the catalog is fixed\n";
    return k_exit_failure;
  }
  return k_exit_ok;
}

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
      throw CommandError{k_exit_usage, "--record: not a JSON object" + (ec ? ": " + ec.message() : std::string())};
    }
    record = value.as_object();
  }
  if (!options.event.empty()) {
    record["event"] = options.event;
  }
  std::vector<std::string> words = options.assignments;
  words.push_back(options.event);
  for (const auto& word : words) {
    if (word == "-" || word.starts_with("{")) {
      throw CommandError{k_exit_usage, "give the whole record with --record RECORD (or --record - for stdin); "
                                       "--json is the output option of every command"};
    }
  }
  for (const auto& assignment : options.assignments) {
    std::size_t dot = assignment.find('.');
    std::size_t equals = assignment.find('=');
    std::string side = dot == std::string::npos ? "" : assignment.substr(0, dot);
    if (equals == std::string::npos || dot > equals || (side != "new" && side != "old")) {
      throw CommandError{k_exit_usage, "'" + printable(assignment.substr(0, equals)) + (equals == std::string::npos ? "" : "=...") +
                                         "': write new.KEY=VALUE or old.KEY=VALUE"};
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

// What the receipt of pickup file `file` says of its one record; nullopt when there is none
// (an older daemon, or one that could not write it).
std::optional<events::ReceiptEntry> read_receipt(const Config& config, const std::filesystem::path& file) {
  std::ifstream in(events::receipts_dir(config.state_dir) / file.filename(), std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto entries = events::parse_receipt(text);
  if (!entries || entries->size() != 1) {
    return std::nullopt;
  }
  return entries->front();
}

// The journal's word on record `id` when the receipt is missing: journaled as event N, or
// rejected (not in the journal); nullopt when the journal cannot be read (it is the daemon's
// user's alone).
std::optional<events::ReceiptEntry> look_up_journal(const Config& config, const std::string& id) {
  auto db = events::open_database(config.database, events::OpenFor::read_only);
  if (!db) {
    return std::nullopt;
  }
  events::ReceiptEntry entry{events::ReceiptEntry::Outcome::rejected, id, 0, "not in the journal"};
  if (auto seq = events::Journal(*db).seq_of(id)) {
    entry.outcome = events::ReceiptEntry::Outcome::journaled;
    entry.seq = *seq;
  }
  return entry;
}

// Waits until the daemon has taken `file` (it commits a file's records, writes the receipt the
// file's name asks for, then unlinks it) and reports the outcome the receipt gives: journaled
// as event N, a duplicate of event N, or rejected and why (exit 1).
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
  std::optional<events::ReceiptEntry> outcome = read_receipt(context.config(), file);
  if (!outcome) {
    outcome = look_up_journal(context.config(), id);
  }
  using Outcome = events::ReceiptEntry::Outcome;
  if (outcome && outcome->outcome == Outcome::rejected) {
    std::cerr << "eventmgr: the daemon rejected record " << printable(id) << ": " << escape_control(outcome->reason)
              << " (eventmgr rejected shows it)\n";
    return k_exit_failure;
  }
  if (context.json) {
    json::object out{{"id", id}, {"via", "pickup"}, {"journaled", outcome.has_value()}};
    if (outcome) {
      out["event_id"] = outcome->seq;
      out["duplicate"] = outcome->outcome == Outcome::duplicate;
    }
    std::cout << json_text(out) << "\n";
  } else if (!outcome) {
    std::cout << printable(id) << " taken by the daemon\n";
    std::cerr << "eventmgr: no receipt for record " << printable(id)
              << " (is eventmgrd older than this eventmgr?); journaled or rejected, eventmgr status counts it\n";
  } else if (outcome->outcome == Outcome::duplicate) {
    std::cout << printable(id) << " was already journaled as event " << outcome->seq
              << " (duplicate id): dropped, nothing runs again (eventmgr replay " << outcome->seq << " does)\n";
  } else {
    std::cout << printable(id) << " journaled as event " << outcome->seq << "\n";
  }
  return k_exit_ok;
}

// Our own argv is readable by every local user (ps): a secret given there has already leaked.
void warn_secrets_on_command_line(const SubmitOptions& options, const events::Event& event,
                                  const events::Catalog& catalog) {
  const events::EventDef* def = catalog.find(event.name);
  if (def == nullptr ||
      (options.assignments.empty() && (options.json_record.empty() || options.json_record == "-"))) {
    return;
  }
  for (const auto& param : def->params) {
    if (!param.secret) {
      continue;
    }
    for (const auto& [side, values] :
         {std::pair{"new", &event.new_values}, std::pair{"old", &event.old_values}}) {
      const auto found = values->find(param.name);
      if (found == values->end() || found->second.empty()) {
        continue;
      }
      const std::string key = std::string(side) + "." + param.name;
      const bool from_assignment =
          std::any_of(options.assignments.begin(), options.assignments.end(),
                      [&key](const std::string& assignment) { return assignment.starts_with(key + "="); });
      if (from_assignment || (!options.json_record.empty() && options.json_record != "-")) {
        std::cerr
            << "eventmgr: warning: secret parameter " << key
            << " is on the command line, which every local user can read (ps); send the record on stdin "
               "instead: eventmgr submit --record - <record.json\n";
      }
    }
  }
}

int submit(Context& context, const SubmitOptions& options) {
  if (options.from_env) {
    return submit_from_env(context, options);
  }
  if (options.event.empty() && options.json_record.empty()) {
    throw CommandError{k_exit_usage, "name the event (eventmgr submit EVENT new.KEY=VALUE...) or give --record RECORD"};
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
  warn_secrets_on_command_line(options, parsed->event, context.catalog());
  std::string id = parsed->event.submit_id;
  line += '\n';

  const Config& config = context.config();
  // A duplicate id is dropped by the daemon; where the journal is readable (root), say so now
  // instead of reporting a submit that will never run.
  if (auto known = look_up_journal(config, id); known && known->outcome == events::ReceiptEntry::Outcome::journaled) {
    throw CommandError{k_exit_failure, "record id " + printable(id) + " is already journaled as event " +
                                         std::to_string(known->seq) +
                                         " and would be dropped as a duplicate; give another --id, or run its "
                                         "handlers again with eventmgr replay " + std::to_string(known->seq)};
  }
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
    auto file = send_through_pickup(config, line, options.wait_seconds >= 0 ? Receipt::yes : Receipt::no);
    if (options.wait_seconds >= 0) {
      return wait_for_journal(context, file, id, options.wait_seconds);
    }
  }
  if (context.json) {
    std::cout << json_text(json::object{{"id", id}, {"via", via}}) << "\n";
  } else {
    std::cout << printable(id) << "\n";
  }
  // Handed over, not yet journaled: say so when no daemon will take it soon.
  if (!daemon_runs(config)) {
    std::cerr << "eventmgr: eventmgrd is not running: the record waits in " << config.pickup_dir.string()
              << " and nothing runs until the daemon starts\n";
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
  sub->add_option("--record", options->json_record, "the whole record as JSON, or - to read it from stdin")
    ->type_name("RECORD|-");
  sub->add_option("--via", options->via, "pipe or pickup (default: the pipe when a daemon reads it)")
    ->check(CLI::IsMember({"pipe", "pickup"}));
  sub->add_flag("--from-env", options->from_env,
                "build the record from Plesk's handler environment: NEW_X/OLD_X for parameter x, other "
                "NEW_*/OLD_* variables kept in the record's extra; via the pickup directory, exits at once");
  // A flag whose value can only be given with '=': `--wait domain_create` must not read the
  // event's name as the seconds.
  auto wait = std::make_shared<std::string>();
  auto* wait_option = sub->add_flag("--wait{10}", *wait,
                                    "--wait[=SECONDS]: return once the daemon journaled it and say how "
                                    "(default 10 s; exit 3 on time-out)");
  set_action(sub, [&context, options, wait, wait_option]() {
    if (wait_option->count() > 0) {
      try {
        std::size_t used = 0;
        options->wait_seconds = std::stoi(*wait, &used);
        if (used != wait->size()) {
          options->wait_seconds = -1;
        }
      } catch (const std::exception&) {
        options->wait_seconds = -1;
      }
      if (options->wait_seconds < 0 || options->wait_seconds > 86400) {
        throw CommandError{k_exit_usage, "--wait=" + printable(*wait) + ": give seconds, 0..86400"};
      }
    }
    return submit(context, *options);
  });
}

} // namespace eventmgr::cli
