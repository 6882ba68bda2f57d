// SPDX-License-Identifier: MIT
#include "manage/rejected.hpp"

#include "common/clock.hpp"
#include "events/record.hpp"
#include "manage/delivery.hpp"
#include "manage/redact.hpp"

#include <boost/json.hpp>

namespace eventmgr::manage {

std::string shown_raw(const events::Catalog* catalog, const std::string& raw) {
  SecretNames secret_names;
  if (catalog != nullptr) {
    for (const auto& def : catalog->events()) {
      for (const auto& param : def.params) {
        if (param.secret) {
          secret_names.insert(param.name);
        }
      }
    }
  }
  return redact_record(raw, secret_names);
}

Result<events::RejectedRecord> find_rejected(events::Journal& journal, std::int64_t id) {
  auto record = journal.get_rejected(id);
  if (!record) {
    return make_error("no rejected record " + std::to_string(id) + " (pruned, or never existed)");
  }
  return std::move(*record);
}

Result<Resubmission> prepare_resubmit(const events::RejectedRecord& record, const events::Catalog& catalog) {
  auto parsed = events::parse_record(record.raw, catalog);
  if (!parsed) {
    return make_error("rejected record " + std::to_string(record.id) +
                      " is still invalid: " + parsed.error().message);
  }
  Resubmission out;
  out.id = record.id;
  out.warnings = parsed->warnings;
  out.line = record.raw;
  out.submit_id = parsed->event.submit_id;
  out.resubmitted_before = record.resubmitted_at;
  if (out.submit_id.empty()) {
    boost::json::object object = boost::json::parse(record.raw).as_object();
    out.submit_id = "rejected-" + std::to_string(record.id);
    object["id"] = out.submit_id;
    out.line = boost::json::serialize(object);
  }
  return out;
}

Result<std::filesystem::path> deliver_resubmit(const Config& config, events::Journal& journal,
                                               const Resubmission& resubmission) {
  auto file = write_pickup_file(config, resubmission.line + "\n");
  if (!file) {
    return file.error();
  }
  journal.mark_resubmitted(resubmission.id, now_ms());
  return file;
}

} // namespace eventmgr::manage
