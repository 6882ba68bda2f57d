// SPDX-License-Identifier: MIT
#include "events/panel_files.hpp"

#include "common/fd.hpp"

#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace eventmgr::events {
namespace {

namespace json = boost::json;

std::int64_t int_field(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_int64() ? value->as_int64() : 0;
}

std::string string_field(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::optional<std::int64_t> optional_int(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_int64()) {
    return std::nullopt;
  }
  return value->as_int64();
}

json::value or_null(const std::optional<std::int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

} // namespace

std::filesystem::path status_file_path(const std::filesystem::path& state_dir) {
  return state_dir / "status.json";
}

std::string to_json(const DaemonStatus& status) {
  json::object out{{"pid", status.pid},
                   {"started_at", status.started_at},
                   {"accepted", status.counters.accepted},
                   {"rejected", status.counters.rejected},
                   {"duplicate", status.counters.duplicate},
                   {"pending_events", status.backlog.count},
                   {"pending_oldest", or_null(status.backlog.oldest_received_at)},
                   {"pickup_files", status.pickup_files},
                   {"pickup_oldest", or_null(status.pickup_oldest)},
                   {"runs_ok_last_hour", status.runs_ok_last_hour},
                   {"runs_failed_last_hour", status.runs_failed_last_hour},
                   {"last_error", status.last_error}};
  return json::serialize(out) + "\n";
}

Result<DaemonStatus> parse_daemon_status(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object() || !value.as_object().contains("pid")) {
    return make_error("status file: not a status document" + (ec ? ": " + ec.message() : std::string()));
  }
  const json::object& in = value.as_object();
  DaemonStatus status;
  status.pid = int_field(in, "pid");
  status.started_at = int_field(in, "started_at");
  status.counters.accepted = int_field(in, "accepted");
  status.counters.rejected = int_field(in, "rejected");
  status.counters.duplicate = int_field(in, "duplicate");
  status.backlog.count = int_field(in, "pending_events");
  status.backlog.oldest_received_at = optional_int(in, "pending_oldest");
  status.pickup_files = int_field(in, "pickup_files");
  status.pickup_oldest = optional_int(in, "pickup_oldest");
  status.runs_ok_last_hour = int_field(in, "runs_ok_last_hour");
  status.runs_failed_last_hour = int_field(in, "runs_failed_last_hour");
  status.last_error = string_field(in, "last_error");
  return status;
}

Result<StatusFileRead> read_status_file(const std::filesystem::path& path) {
  // The daemon replaces the file by rename and holds a lock on each new one before it appears,
  // so an unlocked file that is still the one at the path was written by a daemon now gone.
  for (int attempt = 0; attempt < 10; ++attempt) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
      return make_error("cannot open status file " + path.string() + ": " + std::strerror(errno));
    }
    StatusFileRead read;
    if (::flock(fd.get(), LOCK_SH | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK) {
        return make_error("cannot lock status file " + path.string() + ": " + std::strerror(errno));
      }
      read.live = true;
    } else {
      struct stat opened {};
      struct stat now_there {};
      if (::fstat(fd.get(), &opened) != 0 || ::stat(path.c_str(), &now_there) != 0 ||
          opened.st_ino != now_there.st_ino || opened.st_dev != now_there.st_dev) {
        continue; // replaced meanwhile: read the new one
      }
    }
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd.get(), buffer, sizeof buffer)) > 0;) {
      text.append(buffer, static_cast<std::size_t>(n));
    }
    auto parsed = parse_daemon_status(text);
    if (!parsed) {
      return make_error(parsed.error().message + " (" + path.string() + ")");
    }
    read.status = std::move(parsed.value());
    return read;
  }
  return make_error("cannot read status file " + path.string() + ": it keeps changing");
}

std::filesystem::path receipts_dir(const std::filesystem::path& state_dir) {
  return state_dir / "receipts";
}

bool wants_receipt(std::string_view file_name) {
  return file_name.size() > k_receipt_suffix.size() && file_name.ends_with(k_receipt_suffix);
}

std::string_view to_string(ReceiptEntry::Outcome outcome) {
  switch (outcome) {
  case ReceiptEntry::Outcome::journaled:
    return "journaled";
  case ReceiptEntry::Outcome::duplicate:
    return "duplicate";
  case ReceiptEntry::Outcome::rejected:
    return "rejected";
  }
  return "rejected";
}

std::string receipt_to_json(std::span<const ReceiptEntry> entries) {
  json::array records;
  for (const ReceiptEntry& entry : entries) {
    json::object record{{"outcome", to_string(entry.outcome)}, {"id", entry.id}};
    if (entry.outcome == ReceiptEntry::Outcome::rejected) {
      record["reason"] = entry.reason;
    } else {
      record["event_id"] = entry.seq;
    }
    records.push_back(std::move(record));
  }
  return json::serialize(json::object{{"records", std::move(records)}}) + "\n";
}

Result<std::vector<ReceiptEntry>> parse_receipt(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  const json::value* records = !ec && value.is_object() ? value.as_object().if_contains("records") : nullptr;
  if (records == nullptr || !records->is_array()) {
    return make_error("receipt: not a receipt document" + (ec ? ": " + ec.message() : std::string()));
  }
  std::vector<ReceiptEntry> entries;
  for (const json::value& record : records->as_array()) {
    if (!record.is_object()) {
      return make_error("receipt: a record is not an object");
    }
    const json::object& in = record.as_object();
    ReceiptEntry entry;
    std::string outcome = string_field(in, "outcome");
    if (outcome == "journaled") {
      entry.outcome = ReceiptEntry::Outcome::journaled;
    } else if (outcome == "duplicate") {
      entry.outcome = ReceiptEntry::Outcome::duplicate;
    } else if (outcome == "rejected") {
      entry.outcome = ReceiptEntry::Outcome::rejected;
    } else {
      return make_error("receipt: unknown outcome '" + outcome + "'");
    }
    entry.id = string_field(in, "id");
    entry.seq = int_field(in, "event_id");
    entry.reason = string_field(in, "reason");
    entries.push_back(std::move(entry));
  }
  return entries;
}

} // namespace eventmgr::events
