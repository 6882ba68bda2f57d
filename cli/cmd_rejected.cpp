// SPDX-License-Identifier: MIT
// `eventmgr rejected`: records the daemon refused and why; `show ID`; `resubmit ID` once the
// catalog or the panel is fixed (the record goes through validation again, docs/PROTOCOL.md).
#include "cli/app.hpp"
#include "cli/table.hpp"
#include "cli/utf8.hpp"
#include "common/clock.hpp"
#include "events/database.hpp"
#include "events/journal.hpp"
#include "events/record.hpp"
#include "manage/rejected.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <iostream>

namespace eventmgr::cli {
namespace {

namespace json = boost::json;

// The table cuts reasons and records to this many characters; `rejected show` has them whole.
constexpr std::size_t k_preview_width = 60;

struct RejectedOptions {
  std::string since;
  std::size_t limit = 50;
};

// A rejected record as it may be shown: secret values replaced by "***" (docs/RELIABILITY.md). The stored
// raw text keeps them, for `resubmit`.
std::string shown_raw(Context& context, const std::string& raw) {
  const events::Catalog* catalog = nullptr;
  try {
    catalog = &context.catalog();
  } catch (const CommandError&) {
    // A broken catalog still leaves the names that say "password".
  }
  return manage::shown_raw(catalog, raw);
}

json::object record_json(const events::RejectedRecord& record, bool whole_raw) {
  json::object out{{"id", record.id},
                   {"received_at", format_rfc3339(record.received_at)},
                   {"via", record.via},
                   {"source", to_valid_utf8(record.source)},
                   {"reason", to_valid_utf8(record.reason)},
                   {"resubmitted_at", record.resubmitted_at ? json::value(format_rfc3339(*record.resubmitted_at))
                                                            : json::value(nullptr)}};
  out[whole_raw ? "raw" : "raw_preview"] = to_valid_utf8(record.raw);
  return out;
}

int list_rejected(Context& context, const RejectedOptions& options) {
  if (options.limit == 0) {
    throw CommandError{k_exit_usage, "--limit must be at least 1"};
  }
  auto db = context.database(events::OpenFor::read_only);
  events::Journal journal(db);
  std::int64_t since = options.since.empty() ? 0 : parse_since(options.since);
  auto records = journal.list_rejected(since, options.limit);
  for (auto& record : records) {
    record.raw = shown_raw(context, record.raw);
  }
  // Oldest first, as in `eventmgr log`.
  std::reverse(records.begin(), records.end());
  if (context.json) {
    json::array out;
    for (const auto& record : records) {
      out.push_back(record_json(record, false));
    }
    std::cout << json_text(out) << "\n";
    return k_exit_ok;
  }
  if (records.empty()) {
    std::cout << "no rejected records\n";
    return k_exit_ok;
  }
  Table table({"ID", "TIME", "VIA", "REASON", "RECORD"});
  for (const auto& record : records) {
    std::string via = record.via + (record.resubmitted_at ? " (resubmitted)" : "");
    table.add({std::to_string(record.id), format_local_time(record.received_at), via,
               cut_text(printable(record.reason), k_preview_width),
               cut_text(printable(record.raw), k_preview_width)});
  }
  table.print(std::cout);
  return k_exit_ok;
}

events::RejectedRecord find_record(events::Journal& journal, std::int64_t id) {
  auto record = manage::find_rejected(journal, id);
  if (!record) {
    throw CommandError{k_exit_failure, record.error().message};
  }
  return std::move(record.value());
}

int show_rejected(Context& context, std::int64_t id) {
  auto db = context.database(events::OpenFor::read_only);
  events::Journal journal(db);
  auto record = find_record(journal, id);
  std::size_t stored_size = record.raw.size();
  record.raw = shown_raw(context, record.raw);
  if (context.json) {
    std::cout << json_text(record_json(record, true)) << "\n";
    return k_exit_ok;
  }
  Table fields({"rejected", std::to_string(record.id)});
  fields.add({"received", format_local_time(record.received_at)});
  fields.add({"via", record.via});
  fields.add({"source", record.source.empty() ? "-" : printable(record.source)});
  fields.add({"reason", printable(record.reason)});
  fields.add({"resubmitted", record.resubmitted_at ? format_local_time(*record.resubmitted_at) : "no"});
  fields.print(std::cout);
  std::cout << "record (" << stored_size << " bytes"
            << (stored_size >= events::k_max_rejected_raw ? ", cut to the stored limit" : "")
            << ", secret values shown as ***):\n"
            << "  " << printable(record.raw) << "\n";
  return k_exit_ok;
}

int resubmit(Context& context, std::int64_t id) {
  auto db = context.database(events::OpenFor::cli);
  events::Journal journal(db);
  auto record = find_record(journal, id);
  auto prepared = manage::prepare_resubmit(record, context.catalog());
  if (!prepared) {
    throw CommandError{k_exit_usage, prepared.error().message};
  }
  for (const auto& warning : prepared->warnings) {
    std::cerr << "eventmgr: warning: " << printable(warning) << "\n";
  }
  if (prepared->resubmitted_before) {
    std::cerr << "eventmgr: note: record " << id << " was resubmitted before, at "
              << format_local_time(*prepared->resubmitted_before)
              << "; the daemon ignores it again as a duplicate of id " << printable(prepared->submit_id)
              << " if that one was journaled\n";
  }
  auto file = manage::deliver_resubmit(context.config(), journal, *prepared);
  if (!file) {
    throw CommandError{k_exit_failure, file.error().message};
  }
  if (context.json) {
    std::cout << json_text(json::object{{"id", record.id},
                                        {"submit_id", prepared->submit_id},
                                        {"via", "pickup"},
                                        {"file", file->string()}})
              << "\n";
  } else {
    std::cout << "rejected record " << id << " resubmitted as " << printable(prepared->submit_id)
              << " through the pickup dir (" << printable(file->string()) << ")\n";
  }
  return k_exit_ok;
}

} // namespace

void add_rejected_commands(CLI::App& app, Context& context) {
  auto options = std::make_shared<RejectedOptions>();
  auto* rejected = app.add_subcommand("rejected", "records the daemon refused, and why (oldest first)");
  rejected->add_option("--since", options->since, "only records received since: a duration (2h, 7d) or a time");
  rejected->add_option("--limit", options->limit, "at most N records, the newest (default 50)");
  set_action(rejected, [&context, options]() { return list_rejected(context, *options); });

  auto show_id = std::make_shared<std::int64_t>(0);
  auto* show = rejected->add_subcommand("show", "one rejected record: its fields and the whole record");
  show->add_option("id", *show_id, "the ID column of eventmgr rejected")->required();
  set_action(show, [&context, show_id]() { return show_rejected(context, *show_id); });

  auto resubmit_id = std::make_shared<std::int64_t>(0);
  auto* again = rejected->add_subcommand(
    "resubmit", "validate a rejected record again against the current catalog and, when valid, submit it");
  again->add_option("id", *resubmit_id, "the ID column of eventmgr rejected")->required();
  set_action(again, [&context, resubmit_id]() { return resubmit(context, *resubmit_id); });
}

} // namespace eventmgr::cli
