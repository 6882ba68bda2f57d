// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"
#include "events/catalog.hpp"
#include "events/journal.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace eventmgr::manage {

// A rejected record's raw text as it may be shown: secret values replaced by "***" (the
// catalog's secret parameters, and names that say "password"; `catalog` may be null when it
// does not load). The stored text keeps them, for resubmit.
std::string shown_raw(const events::Catalog* catalog, const std::string& raw);

// Rejected record `id` with its whole raw text; error "no rejected record N (pruned, or never existed)".
Result<events::RejectedRecord> find_rejected(events::Journal& journal, std::int64_t id);

// A rejected record made ready to submit again.
struct Resubmission {
  std::int64_t id = 0;
  std::string line;      // the record to send, with an id
  std::string submit_id; // its id: a second resubmit is then a duplicate, not a second run
  std::vector<std::string> warnings;
  std::optional<std::int64_t> resubmitted_before; // unix ms
};

// Validates `record` again against `catalog`; error "rejected record N is still invalid: REASON".
Result<Resubmission> prepare_resubmit(const events::RejectedRecord& record, const events::Catalog& catalog);

// Sends `resubmission` through the pickup dir and marks the record resubmitted; returns the file.
Result<std::filesystem::path> deliver_resubmit(const Config& config, events::Journal& journal,
                                               const Resubmission& resubmission);

} // namespace eventmgr::manage
