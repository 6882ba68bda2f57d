// SPDX-License-Identifier: MIT
#include "manage/skips.hpp"

#include <boost/json.hpp>

namespace eventmgr::manage {

namespace json = boost::json;

std::vector<SkippedHandler> parse_skipped(std::string_view text) {
  std::vector<SkippedHandler> out;
  if (text.empty()) {
    return out;
  }
  boost::system::error_code error;
  json::value parsed = json::parse(text, error);
  if (error || !parsed.is_array()) {
    return out;
  }
  for (const auto& item : parsed.as_array()) {
    const auto* object = item.if_object();
    if (object == nullptr) {
      continue;
    }
    const auto* id = object->if_contains("handler");
    const auto* condition = object->if_contains("if");
    if (id == nullptr || !id->is_int64() || condition == nullptr || !condition->is_string()) {
      continue;
    }
    out.push_back({id->as_int64(), std::string(condition->as_string())});
  }
  return out;
}

std::vector<SkipRow> list_skips(sqlite::Database& db, const SkipFilter& filter) {
  // The rows with a skip are found by scanning events newest first; no index holds `skipped`,
  // which is fine for a view an administrator opens, not for the hot path.
  auto statement =
      db.prepare("SELECT e.seq, e.event, coalesce(e.submit_id, ''), e.received_at, e.skipped FROM events e"
                 " WHERE e.skipped IS NOT NULL AND e.skipped <> ''"
                 " AND (?1 IS NULL OR e.event = ?1) AND (?2 IS NULL OR e.received_at >= ?2)"
                 " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(e.skipped) j"
                 "   WHERE json_valid(e.skipped) AND json_extract(j.value, '$.handler') = ?3))"
                 " ORDER BY e.seq DESC LIMIT ?4");
  if (filter.event) {
    statement.bind(1, *filter.event);
  } else {
    statement.bind_null(1);
  }
  statement.bind(2, filter.since);
  statement.bind(3, filter.handler_id);
  statement.bind(4, static_cast<std::int64_t>(filter.limit));
  std::vector<SkipRow> out;
  while (statement.step()) {
    SkipRow row;
    row.event_seq = statement.column_int(0);
    row.event = statement.column_text(1);
    row.submit_id = statement.column_text(2);
    row.received_at = statement.column_int(3);
    row.skipped = parse_skipped(statement.column_text(4));
    if (filter.handler_id) {
      std::erase_if(row.skipped,
                    [&filter](const SkippedHandler& skip) { return skip.handler_id != *filter.handler_id; });
    }
    if (!row.skipped.empty()) {
      out.push_back(std::move(row));
    }
  }
  return out;
}

std::map<std::int64_t, std::vector<SkippedHandler>> skips_between(sqlite::Database& db, std::int64_t first,
                                                                  std::int64_t last) {
  auto statement = db.prepare("SELECT seq, skipped FROM events WHERE seq BETWEEN ?1 AND ?2"
                              " AND skipped IS NOT NULL AND skipped <> ''");
  statement.bind(1, first);
  statement.bind(2, last);
  std::map<std::int64_t, std::vector<SkippedHandler>> out;
  while (statement.step()) {
    auto skipped = parse_skipped(statement.column_text(1));
    if (!skipped.empty()) {
      out.emplace(statement.column_int(0), std::move(skipped));
    }
  }
  return out;
}

} // namespace eventmgr::manage
