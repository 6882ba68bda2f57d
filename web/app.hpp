// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"
#include "common/sqlite.hpp"
#include "events/catalog.hpp"
#include "events/database.hpp"
#include "web/http.hpp"
#include "web/listen.hpp"
#include "web/router.hpp"
#include "web/sessions.hpp"

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace eventmgr::web {

class App;

// What a page handler gets: the request, its session and the route's `{id}` values.
struct PageContext {
  App& app;
  const Request& request;
  std::optional<Session> session;
  std::vector<std::int64_t> ids;
  std::int64_t now = 0; // unix ms

  bool admin() const { return session && session->role == Role::admin; }
};

using PageHandler = std::function<Response(PageContext&)>;

// The login tokens the server compares against.
struct Tokens {
  std::string admin;
  std::string viewer;
};

// The whole site as a function from request to response: the safety checks (Host, session,
// CSRF token and Origin on every POST, the admin role for changes, login throttling), the
// routes and the safety headers on every response. The server only moves bytes.
class App {
public:
  static constexpr std::string_view k_session_cookie = "eventmgr_session";

  App(Config config, events::Catalog catalog, Tokens tokens, ListenAddress listen);

  // The response to `request` at `now` (unix ms).
  Response handle(const Request& request, std::int64_t now);

  const Config& config() const { return m_config; }
  const events::Catalog& catalog() const { return m_catalog; }
  // Opens the database for `purpose`; the error names the file.
  Result<sqlite::Database> database(events::OpenFor purpose) const;
  // Writes one audit line for a change: who (role, client address), what.
  void audit(const PageContext& context, const std::string& what);

private:
  Response dispatch(const Request& request, std::int64_t now);
  Response login_page(const Request& request, const std::string& problem, int status);
  Response log_in(const Request& request, const std::string& token, std::int64_t now);

  Config m_config;
  events::Catalog m_catalog;
  Tokens m_tokens;
  ListenAddress m_listen;
  std::vector<std::string> m_hosts;
  SessionStore m_sessions;
  LoginThrottle m_throttle;
  Router<PageHandler> m_router;
  std::mutex m_audit_mutex;
};

// Adds the headers every response carries: Content-Security-Policy (`default-src 'self'`,
// `frame-ancestors 'none'`), nosniff, no referrer, no caching, and HSTS under `tls`.
void add_safety_headers(Response& response, bool tls);

// The pages; each returns the whole response.
void add_handler_pages(Router<PageHandler>& router);
void add_run_pages(Router<PageHandler>& router);
void add_record_pages(Router<PageHandler>& router); // rejected and dead letters
void add_info_pages(Router<PageHandler>& router);   // status and catalog

} // namespace eventmgr::web
