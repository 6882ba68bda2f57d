// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace eventmgr::events {

// A validated event: every catalog parameter of its event is present on both sides
// ("" when not given), unless it was read with Fill::given. Keys are base parameter names.
struct Event {
  std::string name;
  std::map<std::string, std::string> old_values;
  std::map<std::string, std::string> new_values;
  // Values the catalog does not know (the record's `extra`, e.g. a panel variable not in the
  // catalog), kept as sent: shown and given to `stdin: json` handlers, never substituted.
  std::map<std::string, std::string> extra;
  std::string submit_id; // the submitter's idempotency key, may be empty
  std::string time;      // when the action happened (RFC 3339), may be empty
  std::string source;    // who/where from, may be empty
  std::int64_t seq = 0;  // journal id, 0 until journaled
};

// Which parameters a parsed event holds: every catalog parameter ("" where not given, what
// handlers see), or only those the record gave (the journal stores no more: to_journal_json;
// the dispatcher renders a missing value as "" and fills the event for `stdin: json`).
enum class Fill { all, given };

} // namespace eventmgr::events
