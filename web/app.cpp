// SPDX-License-Identifier: MIT
#include "web/app.hpp"

#include "common/clock.hpp"
#include "common/fd.hpp"
#include "common/text.hpp"
#include "web/assets.hpp"
#include "web/page.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <iostream>

namespace eventmgr::web {
namespace {

Response plain(int status, const std::string& text) {
  Response response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = text + "\n";
  return response;
}

} // namespace

void add_safety_headers(Response& response, bool tls) {
  response.set_header("Content-Security-Policy",
                      "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("X-Frame-Options", "DENY");
  // same-origin, not no-referrer: under no-referrer Chromium sends `Origin: null` with form posts.
  response.set_header("Referrer-Policy", "same-origin");
  response.set_header("Cache-Control", "no-store");
  response.set_header("Cross-Origin-Opener-Policy", "same-origin");
  if (tls) {
    response.set_header("Strict-Transport-Security", "max-age=31536000");
  }
}

App::App(Config config, events::Catalog catalog, Tokens tokens, ListenAddress listen)
    : m_config(std::move(config)), m_catalog(std::move(catalog)), m_tokens(std::move(tokens)),
      m_listen(std::move(listen)), m_hosts(allowed_hosts(m_listen, m_config.web.host_names)) {
  m_router.add("GET", "/", Access::viewer, [](PageContext&) { return redirect("/handlers"); });
  add_handler_pages(m_router);
  add_run_pages(m_router);
  add_record_pages(m_router);
  add_info_pages(m_router);
}

Result<sqlite::Database> App::database(events::OpenFor purpose) const {
  return events::open_database(m_config.database, purpose);
}

void App::audit(const PageContext& context, const std::string& what) {
  std::string line = format_rfc3339(context.now) + " " +
                     std::string(context.session ? to_string(context.session->role) : "anonymous") + "@" +
                     escape_control(context.request.client) + " " + escape_control(what) + "\n";
  std::lock_guard lock(m_audit_mutex);
  std::cerr << "eventmgr-web: audit: " << line << std::flush;
  // The audit file is the web's own record of changes, beside the journal; 0600 like the tokens.
  UniqueFd fd(::open((m_config.state_dir / "web-audit.log").c_str(),
                     O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd) {
    [[maybe_unused]] auto written = ::write(fd.get(), line.data(), line.size());
  }
}

Response App::handle(const Request& request, std::int64_t now) {
  Response response;
  if (!host_allowed(request.host, m_hosts)) {
    // A name we do not answer for: a DNS rebinding page gets nothing.
    response = plain(421, "eventmgr-web does not answer for host '" + escape_control(request.host) + "'");
  } else {
    try {
      response = dispatch(request, now);
    } catch (const sqlite::Failure& failure) {
      response = plain(500, std::string("storage error: ") + escape_control(failure.what()));
    }
  }
  add_safety_headers(response, request.tls);
  return response;
}

Response App::login_page(const Request& request, const std::string& problem, int status) {
  Response response;
  response.status = status;
  std::string body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>Log in - Event Manager</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>"
      "<body class=\"login\"><main><h1>Event Manager</h1>";
  if (!problem.empty()) {
    body += notice("error", problem);
  }
  body += "<form method=\"post\" action=\"/login\"><label for=\"token\">Token</label>"
          "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required "
          "autofocus>"
          "<button type=\"submit\">Log in</button></form>"
          "<p class=\"hint\">The admin token is in <code>" +
          html((m_config.state_dir / "web-admin.token").string()) +
          "</code>; <code>eventmgr web url</code> prints a login link. The viewer token "
          "(<code>web-viewer.token</code>) "
          "shows everything and changes nothing.</p></main></body></html>";
  (void)request;
  response.body = std::move(body);
  return response;
}

Response App::log_in(const Request& request, const std::string& token, std::int64_t now) {
  if (!m_throttle.allowed(request.client, now)) {
    return login_page(request, "Too many failed logins from your address; wait a minute.", 429);
  }
  std::optional<Role> role;
  if (!token.empty() && same_secret(token, m_tokens.admin)) {
    role = Role::admin;
  } else if (!token.empty() && same_secret(token, m_tokens.viewer)) {
    role = Role::viewer;
  }
  if (!role) {
    m_throttle.failed(request.client, now);
    std::cerr << "eventmgr-web: failed login from " << escape_control(request.client) << "\n";
    return login_page(request, "That token is not valid.", 403);
  }
  Session session = m_sessions.create(*role, now);
  Response response = redirect("/handlers");
  response.set_header("Set-Cookie", std::string(k_session_cookie) + "=" + session.id +
                                        "; Path=/; HttpOnly; SameSite=Strict" +
                                        (request.tls ? "; Secure" : ""));
  std::cerr << "eventmgr-web: " << to_string(*role) << " logged in from " << escape_control(request.client)
            << "\n";
  return response;
}

Response App::dispatch(const Request& request, std::int64_t now) {
  if (request.path.starts_with("/static/")) {
    auto asset = find_asset(request.path);
    if (!asset || request.method != "GET") {
      return plain(404, "no such file");
    }
    Response response;
    response.content_type = asset->content_type;
    response.body = std::string(asset->body);
    return response;
  }
  bool post = request.method == "POST";
  if (post && !origin_matches(request.origin, request.host, request.tls)) {
    // A form posted from another site (or with no Origin at all) changes nothing.
    return plain(403, "refused: the request's Origin '" + escape_control(request.origin) +
                          "' is not this server (cross-site request)");
  }
  std::optional<Session> session = m_sessions.find(cookie_value(request.cookie, k_session_cookie), now);

  if (request.path == "/login") {
    if (request.method == "GET") {
      if (auto token = request.query.get("token")) {
        return log_in(request, *token, now);
      }
      if (session) {
        return redirect("/handlers");
      }
      return login_page(request, "", 200);
    }
    if (post) {
      return log_in(request, request.form.value_or("token"), now);
    }
    return plain(405, "method not allowed");
  }
  if (!session) {
    if (post) {
      return plain(403, "refused: not logged in (log in at /login)");
    }
    return redirect("/login");
  }
  if (post && !same_secret(request.form.value_or("csrf"), session->csrf)) {
    return plain(403, "refused: the form's CSRF token is missing or stale; reload the page and try again");
  }
  if (request.path == "/logout") {
    if (post) {
      m_sessions.end(session->id);
      Response response = redirect("/login");
      response.set_header("Set-Cookie", std::string(k_session_cookie) +
                                            "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" +
                                            (request.tls ? "; Secure" : ""));
      return response;
    }
    PageContext context{*this, request, session, {}, now};
    return page(context, "Log out", "",
                "<form method=\"post\" action=\"/logout\">" + csrf_field(context) +
                    "<button type=\"submit\">Log out</button></form>");
  }

  auto match = m_router.match(request.method, request.path);
  PageContext context{*this, request, session, match.ids, now};
  if (match.route == nullptr) {
    return match.wrong_method ? plain(405, "method not allowed") : error_page(context, 404, "No such page.");
  }
  if (match.route->access == Access::admin && session->role != Role::admin) {
    return error_page(context, 403,
                      "A viewer sees everything and changes nothing; log in with the admin token.");
  }
  return match.route->handler(context);
}

} // namespace eventmgr::web
