// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"
#include "events/journal.hpp"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::events {

// What the pipe group (the panel) may read instead of the journal, which holds every value
// submitted and all handler output and stays private to the daemon's user: the status file
// for `eventmgr status` and the receipts for `eventmgr submit --wait`. Neither holds a value
// of any record. The daemon writes both (daemon/panel_writer.hpp); these are their formats.

// The daemon's figures for `eventmgr status`, as of the last change.
struct DaemonStatus {
  std::int64_t pid = 0;
  std::int64_t started_at = 0; // unix ms
  Counters counters;
  Backlog backlog;
  std::int64_t pickup_files = 0;             // waiting in the pickup dir (the group cannot list it)
  std::optional<std::int64_t> pickup_oldest; // modification time of the oldest, unix ms
  std::int64_t runs_ok_last_hour = 0;
  std::int64_t runs_failed_last_hour = 0;
  std::string last_error; // escaped with escape_control; empty: none
};

// STATE/status.json: mode 0640, group `pipe_group`.
std::filesystem::path status_file_path(const std::filesystem::path& state_dir);
std::string to_json(const DaemonStatus& status);
// Errors say what is wrong with `text` ("status file: ...").
Result<DaemonStatus> parse_daemon_status(std::string_view text);

// The status file and whether the daemon that wrote it still runs (it keeps the file at the
// path locked with flock(2) from before the file appears until it exits).
struct StatusFileRead {
  DaemonStatus status;
  bool live = false;
};
// Reads the status file at `path`; the error names the file and the cause.
Result<StatusFileRead> read_status_file(const std::filesystem::path& path);

// A pickup file whose name ends with this gets a receipt: STATE/receipts/SAME-NAME (mode 0640,
// group `pipe_group`, in a directory of mode 0710 that the group cannot list), written after
// its records are committed and before the pickup file is removed, kept ten minutes.
inline constexpr std::string_view k_receipt_suffix = ".receipt.json";
std::filesystem::path receipts_dir(const std::filesystem::path& state_dir);
bool wants_receipt(std::string_view file_name);

// What became of one record of a pickup file.
struct ReceiptEntry {
  enum class Outcome { journaled, duplicate, rejected };
  Outcome outcome = Outcome::journaled;
  std::string id;       // the record's id; empty when it has none or it was not parsed
  std::int64_t seq = 0; // journaled: the new event; duplicate: the event already there
  std::string reason;   // rejected: why
};

std::string_view to_string(ReceiptEntry::Outcome outcome);
// One JSON object: {"records": [{"outcome", "id", "event_id" | "reason"}...]}, in file order.
std::string receipt_to_json(std::span<const ReceiptEntry> entries);
// Errors say what is wrong with `text` ("receipt: ...").
Result<std::vector<ReceiptEntry>> parse_receipt(std::string_view text);

} // namespace eventmgr::events
