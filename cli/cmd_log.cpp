// SPDX-License-Identifier: MIT
// `eventmgr log`: what ran and how it ended; `eventmgr log show RUN_ID`: one run with its output.
#include "cli/app.hpp"
#include "cli/table.hpp"
#include "cli/utf8.hpp"
#include "common/clock.hpp"
#include "events/database.hpp"
#include "events/event_json.hpp"
#include "events/journal.hpp"
#include "handlers/delivery_store.hpp"
#include "handlers/run_log.hpp"
#include "manage/runs.hpp"
#include "manage/skips.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <limits>
#include <set>
#include <thread>

namespace eventmgr::cli {
namespace {

namespace json = boost::json;
using handlers::RunRow;
using handlers::RunState;

struct LogOptions {
  std::string event;
  std::int64_t handler_id = 0;
  bool failed = false;
  bool include_fixed = false;
  std::string since;
  std::string source;
  std::size_t limit = 50;
  bool follow = false;
  bool skipped = false;
};

volatile std::sig_atomic_t g_stop = 0;

extern "C" void request_stop(int /*signal*/) { g_stop = 1; }

std::optional<std::int64_t> duration_ms(const RunRow& row) {
  if (!row.finished_at) {
    return std::nullopt;
  }
  return std::max<std::int64_t>(0, *row.finished_at - row.started_at);
}

json::value optional_json(std::optional<std::int64_t> value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::value optional_json(std::optional<int> value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::object run_json(const RunRow& row, bool with_output) {
  json::array argv;
  for (const auto& arg : row.argv) {
    argv.emplace_back(to_valid_utf8(arg));
  }
  json::object out{{"id", row.id},
                   {"event_id", row.event_seq},
                   {"event", row.event},
                   {"handler_id", row.handler_id},
                   {"attempt", row.attempt},
                   {"user", row.user},
                   {"argv", std::move(argv)},
                   {"started_at", format_rfc3339(row.started_at)},
                   {"finished_at", row.finished_at ? json::value(format_rfc3339(*row.finished_at)) : nullptr},
                   {"duration_ms", optional_json(duration_ms(row))},
                   {"result", to_valid_utf8(handlers::describe_result(row))},
                   {"status", std::string(handlers::to_string(row.state))},
                   {"exit_code", optional_json(row.exit_code)},
                   {"signal", optional_json(row.signal)},
                   {"signal_name", row.signal ? json::value(handlers::signal_name(*row.signal)) : nullptr},
                   {"timed_out", row.timed_out},
                   {"start_error", row.start_error.empty() ? json::value(nullptr) : json::value(to_valid_utf8(row.start_error))},
                   {"stdout_truncated", row.out_truncated},
                   {"stderr_truncated", row.err_truncated}};
  if (with_output) {
    out["stdout"] = to_valid_utf8(row.out);
    out["stderr"] = to_valid_utf8(row.err);
  }
  return out;
}

std::vector<std::string> run_cells(const RunRow& row) {
  auto duration = duration_ms(row);
  return {format_local_time(row.started_at),
          std::to_string(row.id),
          std::to_string(row.event_seq),
          printable(row.event),
          std::to_string(row.handler_id),
          printable(row.user),
          duration ? format_duration(*duration) : "-",
          printable(handlers::describe_result(row))};
}

const std::vector<std::string> k_header = {"TIME", "RUN", "EVENT-ID", "EVENT", "HANDLER", "USER", "DURATION", "RESULT"};

// The rows --follow prints after the first table: padded to the widths of that table (and of
// typical values), so the columns stay aligned as long as values stay in them.
class FollowPrinter {
public:
  explicit FollowPrinter(bool json_lines) : m_json(json_lines) {
    for (const auto& title : k_header) {
      m_widths.push_back(display_width(title));
    }
    m_widths[0] = std::max<std::size_t>(m_widths[0], 19); // "YYYY-MM-DD HH:MM:SS"
    m_widths[3] = std::max<std::size_t>(m_widths[3], 20);
  }

  void print_header() {
    if (!m_json) {
      print_cells(k_header);
    }
  }

  void print(const RunRow& row) {
    if (m_json) {
      std::cout << json_text(run_json(row, false)) << "\n";
    } else {
      print_cells(run_cells(row));
    }
    std::cout.flush();
  }

  // Widens the columns for `rows` (printed before the header is).
  void measure(const std::vector<RunRow>& rows) {
    for (const auto& row : rows) {
      auto cells = run_cells(row);
      for (std::size_t i = 0; i < cells.size(); ++i) {
        m_widths[i] = std::max(m_widths[i], display_width(cells[i]));
      }
    }
  }

private:
  void print_cells(const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      line += cells[i];
      if (i + 1 < cells.size()) {
        std::size_t width = display_width(cells[i]);
        line.append((m_widths[i] > width ? m_widths[i] - width : 0) + 2, ' ');
      }
    }
    std::cout << line << "\n";
  }

  bool m_json;
  std::vector<std::size_t> m_widths;
};

// Tracks what --follow has shown: every run with id <= m_cursor is printed or skipped, and
// m_seen holds the finished runs above it already handled. A running run holds the cursor
// back until it finishes, so a run that finishes late still prints.
class FollowCursor {
public:
  FollowCursor(handlers::RunFilter filter, bool failed_only)
    : m_filter(std::move(filter)), m_failed_only(failed_only) {
    // --failed is applied here rather than in SQL: a running run is not a failure yet.
    m_filter.failed_only = false;
    m_filter.limit = std::numeric_limits<std::size_t>::max();
  }

  void start_at(std::int64_t cursor) { m_cursor = cursor; }

  // Runs newly finished since the last call (ascending); with `report` false they are only
  // marked as seen.
  std::vector<RunRow> poll(handlers::RunLog& runs, bool report) {
    m_filter.after_id = m_cursor;
    auto rows = runs.list(m_filter);
    std::reverse(rows.begin(), rows.end());
    std::vector<RunRow> fresh;
    bool blocked = false;
    for (auto& row : rows) {
      bool finished = row.state != RunState::running;
      if (!finished) {
        blocked = true;
        continue;
      }
      if (m_seen.insert(row.id).second && report && (!m_failed_only || handlers::is_failure(row.state))) {
        fresh.push_back(std::move(row));
      }
      if (!blocked) {
        m_cursor = row.id;
      }
    }
    m_seen.erase(m_seen.begin(), m_seen.upper_bound(m_cursor));
    return fresh;
  }

private:
  handlers::RunFilter m_filter;
  bool m_failed_only;
  std::int64_t m_cursor = 0;
  std::set<std::int64_t> m_seen;
};

handlers::RunFilter make_filter(const LogOptions& options) {
  handlers::RunFilter filter;
  if (!options.event.empty()) {
    filter.event = options.event;
  }
  if (options.handler_id > 0) {
    filter.handler_id = options.handler_id;
  }
  filter.failed_only = options.failed;
  filter.include_fixed = options.include_fixed;
  if (!options.since.empty()) {
    filter.since = parse_since(options.since);
  }
  if (!options.source.empty()) {
    filter.source = options.source;
  }
  filter.limit = options.limit;
  return filter;
}

std::int64_t scalar(sqlite::Database& db, const char* sql) {
  auto statement = db.prepare(sql);
  return statement.step() ? statement.column_int(0) : 0;
}

int follow(Context& context, sqlite::Database& db, handlers::RunLog& runs, const LogOptions& options) {
  handlers::RunFilter filter = make_filter(options);
  FollowPrinter printer(context.json);
  FollowCursor cursor(filter, options.failed);
  std::vector<RunRow> recent;
  {
    // One read transaction: the first table and the cursor see the same snapshot.
    db.exec("BEGIN");
    recent = runs.list(filter);
    std::int64_t first_running = scalar(db, "SELECT coalesce(min(id), 0) FROM runs WHERE status = 'running'");
    std::int64_t last = scalar(db, "SELECT coalesce(max(id), 0) FROM runs");
    cursor.start_at(first_running > 0 ? first_running - 1 : last);
    // Everything finished now was either in the first table or is older than it.
    cursor.poll(runs, false);
    db.exec("COMMIT");
  }
  // A running run prints once, when it finishes.
  std::erase_if(recent, [](const RunRow& row) { return row.state == RunState::running; });
  std::reverse(recent.begin(), recent.end());
  printer.measure(recent);
  printer.print_header();
  for (const auto& row : recent) {
    printer.print(row);
  }
  std::cout.flush();

  struct sigaction action{};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  while (g_stop == 0) {
    for (int i = 0; i < 5 && g_stop == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (g_stop != 0) {
      break;
    }
    for (const auto& row : cursor.poll(runs, true)) {
      printer.print(row);
    }
  }
  return k_exit_ok;
}

// `log --skipped`: one line per handler an event skipped because its condition did not hold
// (a skip has no run, so the run log cannot show it), oldest first.
int list_skips(Context& context, const LogOptions& options) {
  for (const auto& [given, name] :
       {std::pair{options.failed, "--failed"}, std::pair{options.include_fixed, "--include-fixed"},
        std::pair{options.follow, "--follow"}, std::pair{!options.source.empty(), "--source"}}) {
    if (given) {
      throw CommandError{k_exit_usage, std::string(name) +
                                           " does not go with --skipped (it filters with --event, "
                                           "--handler, --since and --limit)"};
    }
  }
  manage::SkipFilter filter;
  if (!options.event.empty()) {
    filter.event = options.event;
  }
  if (options.handler_id > 0) {
    filter.handler_id = options.handler_id;
  }
  if (!options.since.empty()) {
    filter.since = parse_since(options.since);
  }
  filter.limit = options.limit;
  auto db = context.database(events::OpenFor::read_only);
  auto rows = manage::list_skips(db, filter);
  std::reverse(rows.begin(), rows.end());
  if (context.json) {
    json::array out;
    for (const auto& row : rows) {
      for (const auto& skip : row.skipped) {
        out.push_back(json::object{
            {"event_id", row.event_seq},
            {"event", to_valid_utf8(row.event)},
            {"id", row.submit_id.empty() ? json::value(nullptr) : json::value(to_valid_utf8(row.submit_id))},
            {"received_at", format_rfc3339(row.received_at)},
            {"handler_id", skip.handler_id},
            {"if", to_valid_utf8(skip.condition)}});
      }
    }
    std::cout << json_text(out) << "\n";
    return k_exit_ok;
  }
  if (rows.empty()) {
    bool filtered = filter.event || filter.handler_id || filter.since;
    std::cout << (filtered ? "no skipped handlers match" : "no event skipped a handler") << "\n";
    return k_exit_ok;
  }
  Table table({"TIME", "EVENT-ID", "EVENT", "ID", "HANDLER", "IF (did not hold)"});
  for (const auto& row : rows) {
    for (const auto& skip : row.skipped) {
      table.add({format_local_time(row.received_at), std::to_string(row.event_seq), printable(row.event),
                 row.submit_id.empty() ? "-" : printable(row.submit_id), std::to_string(skip.handler_id),
                 printable(skip.condition)});
    }
  }
  table.print(std::cout);
  return k_exit_ok;
}

int list_runs(Context& context, const LogOptions& options) {
  if (options.limit == 0) {
    throw CommandError{k_exit_usage, "--limit must be at least 1"};
  }
  if (options.include_fixed && !options.failed) {
    throw CommandError{k_exit_usage, "--include-fixed goes with --failed"};
  }
  // A mistyped name gets the "did you mean" of `handler add`, not "no runs match"; an event no
  // longer in the catalog (a removed catalog file) is still listed when it has runs.
  if (!options.event.empty() && context.catalog().find(options.event) == nullptr) {
    auto probe_db = context.database(events::OpenFor::read_only);
    if (!manage::run_event_known(context.catalog(), probe_db, options.event)) {
      throw CommandError{k_exit_usage, unknown_event_message(context.catalog(), options.event)};
    }
  }
  if (options.skipped) {
    return list_skips(context, options);
  }
  auto db = context.database(events::OpenFor::read_only);
  handlers::RunLog runs(db);
  if (options.follow) {
    return follow(context, db, runs, options);
  }
  auto rows = runs.list(make_filter(options));
  // list() gives the newest first; a log reads oldest first, the newest at the bottom.
  std::reverse(rows.begin(), rows.end());
  if (context.json) {
    json::array out;
    for (const auto& row : rows) {
      out.push_back(run_json(row, false));
    }
    std::cout << json_text(out) << "\n";
    return k_exit_ok;
  }
  if (rows.empty()) {
    std::cout << "no runs" << (options.event.empty() && options.handler_id == 0 && !options.failed &&
                                     options.since.empty() && options.source.empty()
                                   ? ""
                                   : " match")
              << "\n";
    return k_exit_ok;
  }
  Table table(k_header);
  for (const auto& row : rows) {
    table.add(run_cells(row));
  }
  table.print(std::cout);
  return k_exit_ok;
}

// `text` in double quotes with " and \ escaped by a backslash, then made printable: an
// argument's boundaries stay visible, whatever it holds (spaces, nothing at all). Not named
// `quoted`: argument-dependent lookup would pick std::quoted for a non-const std::string.
std::string quoted_word(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return printable(out + "\"");
}

void print_output(const char* name, const std::string& text, bool truncated) {
  std::cout << name << " (" << text.size() << " bytes)";
  if (text.empty()) {
    std::cout << ": empty\n";
    return;
  }
  std::cout << ":\n";
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::cout << "  | " << printable(line) << "\n";
    if (end == std::string::npos) {
      std::cout << "  [no newline at end]\n";
      break;
    }
    start = end + 1;
  }
  if (truncated) {
    std::cout << "  [truncated at " << text.size() << " bytes]\n";
  }
}

// The run's event's values the catalog does not know (its record's `extra`), those whose name
// says they are secret as "***"; empty when the event is pruned or has none.
std::map<std::string, std::string> event_extra(Context& context, sqlite::Database& db, std::int64_t seq) {
  auto entry = events::Journal(db).get(seq);
  if (!entry) {
    return {};
  }
  auto event = events::from_json(entry->payload, context.catalog(), events::Fill::given);
  if (!event) {
    return {};
  }
  for (auto& [key, value] : event->extra) {
    if (events::looks_secret(key) && !value.empty()) {
      value = "***";
    }
  }
  return std::move(event->extra);
}

int show_run(Context& context, std::int64_t run_id) {
  auto db = context.database(events::OpenFor::read_only);
  handlers::RunLog runs(db);
  auto row = runs.get(run_id);
  if (!row) {
    throw CommandError{k_exit_failure, "no run " + std::to_string(run_id) + " (pruned, or never existed)"};
  }
  const auto extra = event_extra(context, db, row->event_seq);
  // What became of the delivery this run failed (absent: ok, settled by a later try, or pruned).
  const auto delivery = handlers::DeliveryStore(db).of_run(run_id);
  if (context.json) {
    json::object out = run_json(*row, true);
    json::object extra_json;
    for (const auto& [key, value] : extra) {
      extra_json[to_valid_utf8(key)] = to_valid_utf8(value);
    }
    out["extra"] = std::move(extra_json);
    if (delivery) {
      out["delivery"] = json::object{
          {"state", std::string(handlers::to_string(delivery->state))},
          {"dead_letter_id", delivery->state == handlers::DeliveryState::waiting ? json::value(nullptr)
                                                                                 : json::value(delivery->id)},
          {"tries", delivery->tries},
          {"due_at",
           delivery->due_at ? json::value(format_rfc3339(*delivery->due_at)) : json::value(nullptr)}};
    } else {
      out["delivery"] = nullptr;
    }
    std::cout << json_text(out) << "\n";
    return k_exit_ok;
  }
  auto duration = duration_ms(*row);
  Table fields({"run", std::to_string(row->id)});
  fields.add({"event", std::to_string(row->event_seq) + " " + row->event});
  fields.add({"handler", std::to_string(row->handler_id)});
  fields.add({"attempt", std::to_string(row->attempt)});
  fields.add({"user", printable(row->user)});
  fields.add({"started", format_local_time(row->started_at)});
  fields.add({"finished", row->finished_at ? format_local_time(*row->finished_at) : "-"});
  fields.add({"duration", duration ? format_duration(*duration) : "-"});
  fields.add({"result", printable(handlers::describe_result(*row))});
  if (row->timed_out && row->signal) {
    fields.add({"ended by", handlers::signal_name(*row->signal)});
  }
  if (delivery) {
    switch (delivery->state) {
    case handlers::DeliveryState::waiting:
      fields.add({"retry", "try " + std::to_string(delivery->tries + 1) + " due " +
                               format_local_time(delivery->due_at.value_or(0))});
      break;
    case handlers::DeliveryState::dead:
      fields.add({"retry", "none left: dead letter " + std::to_string(delivery->id) + " (eventmgr dead)"});
      break;
    case handlers::DeliveryState::dropped:
      fields.add({"retry", "dead letter " + std::to_string(delivery->id) + ", dropped"});
      break;
    case handlers::DeliveryState::queued:
      fields.add({"retry", "dead letter " + std::to_string(delivery->id) + ", queued to run again"});
      break;
    }
  }
  fields.print(std::cout);
  std::cout << "argv (" << row->argv.size() << (row->argv.size() == 1 ? " word" : " words") << ", secrets as ***):\n";
  for (std::size_t i = 0; i < row->argv.size(); ++i) {
    std::cout << "  [" << i << "] " << quoted_word(row->argv[i]) << "\n";
  }
  if (!extra.empty()) {
    std::cout << "extra (" << extra.size() << (extra.size() == 1 ? " value" : " values")
              << " the catalog does not know; never substituted, in stdin JSON only):\n";
    for (const auto& [key, value] : extra) {
      std::cout << "  " << printable(key) << "=" << printable(value) << "\n";
    }
  }
  print_output("stdout", row->out, row->out_truncated);
  print_output("stderr", row->err, row->err_truncated);
  return k_exit_ok;
}

} // namespace

void add_log_commands(CLI::App& app, Context& context) {
  auto options = std::make_shared<LogOptions>();
  auto* log = app.add_subcommand("log", "what ran and how it ended (oldest first, newest at the bottom)");
  log->add_option("--event", options->event, "only runs for this event");
  log->add_option("--handler", options->handler_id, "only runs of this handler id")->check(CLI::PositiveNumber);
  log->add_flag("--failed", options->failed,
                "only failures (exit N, signal, timeout, not started) that no later attempt of the same handler "
                "for the same event fixed");
  log->add_flag("--include-fixed", options->include_fixed, "with --failed: also failures a later attempt fixed");
  log->add_option("--since", options->since, "only runs started since: a duration (2h, 30m, 7d) or a time");
  log->add_option("--source", options->source,
                  "only runs for events from this source (a host, for events taken from NATS)");
  log->add_option("--limit", options->limit, "at most N runs, the newest (default 50)");
  log->add_flag("--follow,-f", options->follow, "then print runs as they finish, until Ctrl-C");
  log->add_flag(
      "--skipped", options->skipped,
      "instead of runs: the handlers events skipped because their --if condition did not hold, one line "
      "per skip (with --event, --handler, --since, --limit)");
  set_action(log, [&context, options]() { return list_runs(context, *options); });

  auto run_id = std::make_shared<std::int64_t>(0);
  auto* show = log->add_subcommand("show", "one run: its fields, argv, stdout and stderr");
  show->add_option("run_id", *run_id, "the RUN column of eventmgr log")->required();
  set_action(show, [&context, run_id]() { return show_run(context, *run_id); });
}

} // namespace eventmgr::cli
