// SPDX-License-Identifier: MIT
#include "handlers/handler_store.hpp"

#include "common/clock.hpp"
#include "common/string_list.hpp"

#include <boost/json/parse.hpp>


#include <set>

namespace eventmgr::handlers {
namespace {

constexpr std::string_view k_columns =
  "id, event, priority, user, command, params, timeout, enabled, stdin, secrets, description,"
  " created_at, updated_at, retries, retry_on, retry_delays, condition, concurrency";

Handler read_handler(const sqlite::Statement& statement) {
  Handler handler;
  handler.id = statement.column_int(0);
  handler.event = statement.column_text(1);
  handler.priority = static_cast<int>(statement.column_int(2));
  handler.user = statement.column_text(3);
  handler.command = statement.column_text(4);
  handler.params = from_json_array(statement.column_text(5));
  handler.timeout = static_cast<int>(statement.column_int(6));
  handler.enabled = statement.column_int(7) != 0;
  handler.stdin_mode = parse_stdin_mode(statement.column_text(8)).value_or(StdinMode::none);
  handler.secrets = statement.column_int(9) != 0;
  handler.description = statement.column_text(10);
  handler.created_at = statement.column_int(11);
  handler.updated_at = statement.column_int(12);
  if (!statement.column_is_null(13)) {
    handler.retries = static_cast<int>(statement.column_int(13));
  }
  if (!statement.column_is_null(14)) {
    handler.retry_on = parse_retry_on(statement.column_text(14));
  }
  if (!statement.column_is_null(15)) {
    std::vector<std::int64_t> delays;
    boost::system::error_code ec;
    auto parsed = boost::json::parse(statement.column_text(15), ec);
    if (!ec && parsed.is_array()) {
      for (const auto& item : parsed.as_array()) {
        if (item.is_int64()) {
          delays.push_back(item.as_int64());
        }
      }
    }
    handler.retry_delays = std::move(delays);
  }
  handler.condition = statement.column_text(16);
  handler.concurrency = static_cast<int>(statement.column_int(17));
  return handler;
}

// Binds the retry settings at `first`, `first` + 1 and `first` + 2 (NULL: the config's).
void bind_retry(sqlite::Statement& statement, int first, const Handler& handler) {
  statement.bind(first, handler.retries ? std::optional<std::int64_t>(*handler.retries) : std::nullopt);
  if (handler.retry_on) {
    statement.bind(first + 1, to_string(*handler.retry_on));
  } else {
    statement.bind_null(first + 1);
  }
  if (handler.retry_delays) {
    std::string json = "[";
    for (std::int64_t delay : *handler.retry_delays) {
      // Appends, not `sep + std::to_string(...)`: GCC 12 at -O2 reports a false -Wrestrict there.
      if (json.size() > 1) {
        json += ',';
      }
      json += std::to_string(delay);
    }
    json += ']';
    statement.bind(first + 2, json);
  } else {
    statement.bind_null(first + 2);
  }
}

std::string select(std::string_view rest) {
  return "SELECT " + std::string(k_columns) + " FROM handlers " + std::string(rest);
}

} // namespace

HandlerStore::HandlerStore(sqlite::Database& db)
  : m_db(db),
    m_insert(db.prepare("INSERT INTO handlers (id, event, priority, user, command, params, timeout,"
                        " enabled, stdin, secrets, description, created_at, updated_at, retries, retry_on, retry_delays,"
                        " condition, concurrency)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)")),
    m_update(db.prepare("UPDATE handlers SET event = ?2, priority = ?3, user = ?4, command = ?5,"
                        " params = ?6, timeout = ?7, enabled = ?8, stdin = ?9, secrets = ?10,"
                        " description = ?11, updated_at = ?12, retries = ?13, retry_on = ?14, retry_delays = ?15,"
                        " condition = ?16, concurrency = ?17 WHERE id = ?1")),
    m_remove(db.prepare("DELETE FROM handlers WHERE id = ?1")),
    m_set_enabled(db.prepare("UPDATE handlers SET enabled = ?2, updated_at = ?3 WHERE id = ?1")),
    m_get(db.prepare(select("WHERE id = ?1"))),
    m_list_all(db.prepare(select("ORDER BY event, priority DESC, id"))),
    m_list_event(db.prepare(select("WHERE event = ?1 ORDER BY priority DESC, id"))),
    m_for_event(db.prepare(select("WHERE event = ?1 AND enabled <> 0 ORDER BY priority DESC, id"))) {}

std::int64_t HandlerStore::insert(const Handler& handler, bool keep_identity, std::int64_t now) {
  const bool keep_id = keep_identity && handler.id != 0;
  if (keep_id) {
    m_insert.bind(1, handler.id);
  } else {
    m_insert.bind_null(1);
  }
  m_insert.bind(2, handler.event)
    .bind(3, handler.priority)
    .bind(4, handler.user)
    .bind(5, handler.command)
    .bind(6, to_json_array(handler.params))
    .bind(7, handler.timeout)
    .bind(8, handler.enabled ? 1 : 0)
    .bind(9, to_string(handler.stdin_mode))
    .bind(10, handler.secrets ? 1 : 0)
    .bind(11, handler.description)
    .bind(12, keep_id && handler.created_at != 0 ? handler.created_at : now)
    .bind(13, keep_id && handler.updated_at != 0 ? handler.updated_at : now);
  bind_retry(m_insert, 14, handler);
  m_insert.bind(17, handler.condition).bind(18, handler.concurrency);
  m_insert.run();
  return m_db.last_insert_id();
}

std::int64_t HandlerStore::add(const Handler& handler) { return insert(handler, false, now_ms()); }

std::vector<std::int64_t> HandlerStore::add_all(const std::vector<Handler>& handlers) {
  std::vector<std::int64_t> ids;
  const std::int64_t now = now_ms();
  sqlite::Transaction transaction(m_db);
  for (const Handler& handler : handlers) {
    ids.push_back(insert(handler, false, now));
  }
  transaction.commit();
  return ids;
}

bool HandlerStore::update(const Handler& handler) {
  m_update.bind(1, handler.id)
    .bind(2, handler.event)
    .bind(3, handler.priority)
    .bind(4, handler.user)
    .bind(5, handler.command)
    .bind(6, to_json_array(handler.params))
    .bind(7, handler.timeout)
    .bind(8, handler.enabled ? 1 : 0)
    .bind(9, to_string(handler.stdin_mode))
    .bind(10, handler.secrets ? 1 : 0)
    .bind(11, handler.description)
    .bind(12, now_ms());
  bind_retry(m_update, 13, handler);
  m_update.bind(16, handler.condition).bind(17, handler.concurrency);
  m_update.run();
  return m_db.changes() > 0;
}

bool HandlerStore::remove(std::int64_t id) {
  m_remove.bind(1, id);
  m_remove.run();
  return m_db.changes() > 0;
}

bool HandlerStore::set_enabled(std::int64_t id, bool enabled) {
  m_set_enabled.bind(1, id).bind(2, enabled ? 1 : 0).bind(3, now_ms());
  m_set_enabled.run();
  return m_db.changes() > 0;
}

std::optional<Handler> HandlerStore::get(std::int64_t id) {
  sqlite::ResetOnExit reset(m_get);
  m_get.bind(1, id);
  if (!m_get.step()) {
    return std::nullopt;
  }
  return read_handler(m_get);
}

std::vector<Handler> HandlerStore::read_all(sqlite::Statement& statement) {
  std::vector<Handler> handlers;
  sqlite::ResetOnExit reset(statement);
  while (statement.step()) {
    handlers.push_back(read_handler(statement));
  }
  return handlers;
}

std::vector<Handler> HandlerStore::list(const std::optional<std::string>& event) {
  if (!event) {
    return read_all(m_list_all);
  }
  m_list_event.bind(1, *event);
  return read_all(m_list_event);
}

std::vector<Handler> HandlerStore::for_event(std::string_view event) {
  m_for_event.bind(1, event);
  return read_all(m_for_event);
}

Result<std::vector<std::int64_t>> HandlerStore::replace_all(const std::vector<Handler>& handlers) {
  std::set<std::int64_t> seen;
  for (const Handler& handler : handlers) {
    if (handler.id != 0 && !seen.insert(handler.id).second) {
      return make_error("cannot replace handlers: id " + std::to_string(handler.id) +
                        " appears twice");
    }
  }
  std::vector<std::int64_t> ids(handlers.size());
  const std::int64_t now = now_ms();
  sqlite::Transaction transaction(m_db);
  m_db.exec("DELETE FROM handlers");
  // Kept ids first: a new id is then past every kept one and cannot collide with it.
  for (std::size_t i = 0; i < handlers.size(); ++i) {
    if (handlers[i].id != 0) {
      ids[i] = insert(handlers[i], true, now);
    }
  }
  for (std::size_t i = 0; i < handlers.size(); ++i) {
    if (handlers[i].id == 0) {
      ids[i] = insert(handlers[i], true, now);
    }
  }
  transaction.commit();
  return ids;
}

} // namespace eventmgr::handlers
