// SPDX-License-Identifier: MIT
#include "web/app.hpp"

#include "events/database.hpp"
#include "handlers/delivery_store.hpp"
#include "handlers/handler_store.hpp"
#include "handlers/launcher.hpp"
#include "handlers/run_log.hpp"
#include "manage/dead_letters.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using eventmgr::web::App;
using eventmgr::web::Request;
using eventmgr::web::Response;

namespace {

const std::string k_admin(64, 'a');
const std::string k_viewer(64, 'v');
constexpr const char* k_host = "127.0.0.1:8750";

struct Fixture {
  eventmgr::testing::TempDir dir;
  eventmgr::Config config = make_config();
  App app{config, load_catalog(), eventmgr::web::Tokens{k_admin, k_viewer},
          *eventmgr::web::parse_listen("127.0.0.1:8750")};
  std::int64_t now = 1'000'000;

  eventmgr::Config make_config() {
    eventmgr::ConfigSources sources;
    sources.state_dir = dir.path();
    auto parsed = eventmgr::parse_config("", "", sources);
    REQUIRE(parsed.ok());
    return *parsed;
  }

  static eventmgr::events::Catalog load_catalog() {
    auto catalog = eventmgr::events::Catalog::load({});
    REQUIRE(catalog.ok());
    return std::move(catalog).value();
  }

  eventmgr::sqlite::Database database() {
    auto db = eventmgr::events::open_database(config.database, eventmgr::events::OpenFor::cli);
    REQUIRE_MESSAGE(db.ok(), db.error().message);
    return std::move(db).value();
  }

  std::int64_t add_handler(const std::string& command) {
    auto db = database();
    eventmgr::handlers::Handler handler;
    handler.event = "client_create";
    handler.user = "nobody";
    handler.command = command;
    return eventmgr::handlers::HandlerStore(db).add(handler);
  }

  // A dead letter as the daemon leaves it when handler `handler_id` (retries 0) exits 3 for a
  // new event named `event`: the failed run, then its delivery marked dead. Returns its id.
  std::int64_t add_dead_letter(std::int64_t handler_id, const std::string& event) {
    auto db = database();
    db.prepare("INSERT INTO events (seq, event, payload, via, received_at) VALUES "
               "((SELECT coalesce(max(seq), 0) + 1 FROM events), ?1, '{}', 'cli', 1000)")
        .bind(1, event)
        .run();
    const std::int64_t seq = db.last_insert_id();
    eventmgr::handlers::RunLog runs(db);
    const std::int64_t run = runs.start_run(seq, handler_id, 1, "nobody", "[\"/bin/sh\"]", 2000);
    eventmgr::handlers::RunOutcome outcome;
    outcome.status = eventmgr::handlers::RunStatus::exit;
    outcome.exit_code = 3;
    outcome.finished_ms = 3000;
    runs.finish_run(run, outcome);
    eventmgr::handlers::DeliveryStore(db).record_failure(
        seq, handler_id, eventmgr::handlers::DeliveryState::dead, 1, std::nullopt, 3000, run);
    auto dead = eventmgr::manage::list_dead(db, {});
    REQUIRE(!dead.empty());
    return dead.back().id;
  }

  std::size_t dead_count() {
    auto db = database();
    return eventmgr::manage::list_dead(db, {}).size();
  }

  std::string audit_text() {
    std::ifstream audit(dir.path() / "web-audit.log");
    std::stringstream text;
    text << audit.rdbuf();
    return text.str();
  }

  bool handler_exists(std::int64_t id) {
    auto db = database();
    return eventmgr::handlers::HandlerStore(db).get(id).has_value();
  }

  Request get(const std::string& path, const std::string& cookie = {}) {
    Request request;
    request.method = "GET";
    request.path = path;
    request.host = k_host;
    request.cookie = cookie;
    request.client = "127.0.0.1";
    return request;
  }

  Request post(const std::string& path, const std::string& body, const std::string& cookie = {}) {
    Request request = get(path, cookie);
    request.method = "POST";
    request.origin = std::string("http://") + k_host;
    request.form = eventmgr::web::parse_params(body);
    return request;
  }

  Response send(const Request& request) { return app.handle(request, now); }

  // Logs in with `token`; returns the Cookie header value for the session.
  std::string log_in(const std::string& token) {
    Response response = send(post("/login", "token=" + token));
    REQUIRE(response.status == 303);
    auto cookie = response.header("Set-Cookie");
    REQUIRE(cookie.has_value());
    return cookie->substr(0, cookie->find(';'));
  }

  // The CSRF token in a page's forms.
  std::string csrf_of(const std::string& cookie) {
    Response page = send(get("/handlers", cookie));
    std::string marker = "name=\"csrf\" value=\"";
    auto at = page.body.find(marker);
    REQUIRE(at != std::string::npos);
    return page.body.substr(at + marker.size(), 64);
  }
};

} // namespace

TEST_SUITE_BEGIN("web::App");

TEST_CASE_FIXTURE(Fixture, "every response carries the safety headers") {
  for (const Request& request :
       {get("/login"), get("/handlers"), get("/static/style.css"), post("/login", "")}) {
    Response response = send(request);
    CAPTURE(request.path);
    CHECK(response.header("Content-Security-Policy")->find("default-src 'self'") != std::string::npos);
    CHECK(response.header("Content-Security-Policy")->find("frame-ancestors 'none'") != std::string::npos);
    CHECK(response.header("X-Content-Type-Options") == "nosniff");
    CHECK(response.header("Referrer-Policy") == "same-origin");
  }
}

TEST_CASE_FIXTURE(Fixture, "a Host the server does not answer for is refused (DNS rebinding)") {
  Request request = get("/login");
  request.host = "attacker.example:8750";
  CHECK(send(request).status == 421);
  request.host = "localhost:8750";
  CHECK(send(request).status == 200);
  request.host = "127.0.0.1:9999";
  CHECK(send(request).status == 421);
}

TEST_CASE_FIXTURE(Fixture, "pages need a session; the login sets an HttpOnly SameSite=Strict cookie") {
  Response anonymous = send(get("/handlers"));
  CHECK(anonymous.status == 303);
  CHECK(anonymous.header("Location") == "/login");
  Response login = send(post("/login", "token=" + k_admin));
  CHECK(login.status == 303);
  std::string cookie = *login.header("Set-Cookie");
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(cookie.find("Secure") == std::string::npos);
  CHECK(send(get("/handlers", cookie.substr(0, cookie.find(';')))).status == 200);

  SUBCASE("under TLS the cookie is Secure") {
    Request request = post("/login", "token=" + k_admin);
    request.tls = true;
    request.origin = std::string("https://") + k_host;
    Response tls_login = send(request);
    CHECK(tls_login.header("Set-Cookie")->find("; Secure") != std::string::npos);
    CHECK(tls_login.header("Strict-Transport-Security").has_value());
  }
}

TEST_CASE_FIXTURE(Fixture, "a wrong token is refused, and the sixth try in a minute gets 429") {
  for (int i = 0; i < 5; ++i) {
    CHECK(send(post("/login", "token=wrong")).status == 403);
  }
  CHECK(send(post("/login", "token=wrong")).status == 429);
  CHECK(send(post("/login", "token=" + k_admin)).status == 429); // even the right one, for a minute
  now += 61'000;
  CHECK(send(post("/login", "token=" + k_admin)).status == 303);
}

TEST_CASE_FIXTURE(Fixture, "the login link of eventmgr web url logs in") {
  Request request = get("/login");
  request.query = eventmgr::web::parse_params("token=" + k_admin);
  Response response = send(request);
  CHECK(response.status == 303);
  CHECK(response.header("Set-Cookie").has_value());
}

TEST_CASE_FIXTURE(Fixture, "a POST without the session's CSRF token or a matching Origin changes nothing") {
  std::int64_t id = add_handler("/bin/true");
  std::string cookie = log_in(k_admin);
  std::string csrf = csrf_of(cookie);
  std::string body = "action=remove&id=" + std::to_string(id);

  SUBCASE("no CSRF token") {
    CHECK(send(post("/handlers", body, cookie)).status == 403);
  }
  SUBCASE("another session's CSRF token") {
    std::string other = csrf_of(log_in(k_admin));
    CHECK(send(post("/handlers", body + "&csrf=" + other, cookie)).status == 403);
  }
  SUBCASE("no Origin") {
    Request request = post("/handlers", body + "&csrf=" + csrf, cookie);
    request.origin.clear();
    CHECK(send(request).status == 403);
  }
  SUBCASE("another site's Origin") {
    Request request = post("/handlers", body + "&csrf=" + csrf, cookie);
    request.origin = "http://attacker.example";
    CHECK(send(request).status == 403);
  }
  CHECK(handler_exists(id));
  SUBCASE("with both, the handler is removed") {
    Response done = send(post("/handlers", body + "&csrf=" + csrf, cookie));
    CHECK(done.status == 303);
    CHECK_FALSE(handler_exists(id));
    std::ifstream audit(dir.path() / "web-audit.log");
    std::stringstream text;
    text << audit.rdbuf();
    CHECK(text.str().find("admin@127.0.0.1 removed handler(s) " + std::to_string(id)) != std::string::npos);
  }
}

TEST_CASE_FIXTURE(Fixture, "a viewer sees everything and changes nothing") {
  std::int64_t id = add_handler("/bin/true");
  std::string cookie = log_in(k_viewer);
  Response list = send(get("/handlers", cookie));
  CHECK(list.status == 200);
  CHECK(list.body.find("id=\"remove-selected\" disabled") != std::string::npos);
  std::string csrf = csrf_of(cookie);
  CHECK(send(post("/handlers", "action=remove&id=" + std::to_string(id) + "&csrf=" + csrf, cookie)).status ==
        403);
  CHECK(handler_exists(id));
}

TEST_CASE_FIXTURE(Fixture, "logout ends the session") {
  std::string cookie = log_in(k_admin);
  std::string csrf = csrf_of(cookie);
  Response out = send(post("/logout", "csrf=" + csrf, cookie));
  CHECK(out.status == 303);
  CHECK(out.header("Set-Cookie")->find("Max-Age=0") != std::string::npos);
  CHECK(send(get("/handlers", cookie)).status == 303);
}

TEST_CASE_FIXTURE(Fixture, "a value from a handler shows as text, never as markup") {
  add_handler("/bin/echo <script>alert(1)</script> \"><img src=x onerror=alert(2)>");
  std::string cookie = log_in(k_admin);
  Response list = send(get("/handlers", cookie));
  CHECK(list.body.find("<script>alert") == std::string::npos);
  CHECK(list.body.find("<img src=x") == std::string::npos);
  CHECK(list.body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  Request query = get("/handlers", cookie);
  query.query = eventmgr::web::parse_params("q=%22%3E%3Cscript%3E");
  CHECK(send(query).body.find("\"><script>") == std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "unknown pages are 404 and the pages of the spec answer") {
  database(); // the daemon made it
  std::string cookie = log_in(k_viewer);
  CHECK(send(get("/nothing", cookie)).status == 404);
  for (const std::string path :
       {"/handlers", "/runs", "/rejected", "/dead", "/status", "/catalog", "/handlers/new"}) {
    CAPTURE(path);
    CHECK(send(get(path, cookie)).status == 200);
  }
}

TEST_CASE_FIXTURE(Fixture, "the Dead letters page lists them; an admin retries or drops the selected ones") {
  std::int64_t handler = add_handler("/bin/sh -c 'exit 3'");
  std::int64_t first = add_dead_letter(handler, "client_create");
  std::int64_t second = add_dead_letter(handler, "<script>alert(1)</script>");
  std::string cookie = log_in(k_admin);
  Response list = send(get("/dead", cookie));
  CHECK(list.status == 200);
  CHECK(list.body.find("data-dead=\"" + std::to_string(first) + "\"") != std::string::npos);
  CHECK(list.body.find("data-dead=\"" + std::to_string(second) + "\"") != std::string::npos);
  CHECK(list.body.find("client_create") != std::string::npos);
  CHECK(list.body.find("exit 3") != std::string::npos);
  CHECK(list.body.find("<script>alert") == std::string::npos);
  CHECK(list.body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(list.body.find("id=\"retry-selected\"") != std::string::npos);
  CHECK(list.body.find("id=\"drop-selected\"") != std::string::npos);
  std::string csrf = csrf_of(cookie);

  SUBCASE("Retry selected queues it to run again") {
    Response done = send(post("/dead", "action=retry&id=" + std::to_string(first) + "&csrf=" + csrf, cookie));
    CHECK(done.status == 303);
    CHECK(done.header("Location").value_or("").rfind("/dead?done=", 0) == 0);
    auto db = database();
    auto dead = eventmgr::manage::list_dead(db, {});
    REQUIRE(dead.size() == 1);
    CHECK(dead[0].id == second);
    auto replay = db.prepare("SELECT count(*) FROM replays WHERE handler_id = ?1 AND taken_at IS NULL");
    replay.bind(1, handler);
    REQUIRE(replay.step());
    CHECK(replay.column_int(0) == 1);
    CHECK(audit_text().find("admin@127.0.0.1 queued dead letter " + std::to_string(first)) !=
          std::string::npos);
    CHECK(send(get("/dead", cookie)).body.find("data-dead=\"" + std::to_string(first) + "\"") ==
          std::string::npos);
  }
  SUBCASE("Drop selected marks both handled") {
    Response done = send(
        post("/dead",
             "action=drop&id=" + std::to_string(first) + "&id=" + std::to_string(second) + "&csrf=" + csrf,
             cookie));
    CHECK(done.status == 303);
    CHECK(dead_count() == 0);
    CHECK(audit_text().find("admin@127.0.0.1 dropped dead letter " + std::to_string(second)) !=
          std::string::npos);
    CHECK(send(get("/dead", cookie)).body.find("No dead letters.") != std::string::npos);
  }
  SUBCASE("nothing selected changes nothing (an empty selection is not every dead letter)") {
    Response done = send(post("/dead", "action=retry&csrf=" + csrf, cookie));
    CHECK(done.status == 303);
    CHECK(done.header("Location").value_or("").find("problem=") != std::string::npos);
    CHECK(dead_count() == 2);
  }
  SUBCASE("an unknown action or a bad id is refused") {
    CHECK(send(post("/dead", "action=delete&id=" + std::to_string(first) + "&csrf=" + csrf, cookie)).status ==
          400);
    CHECK(send(post("/dead", "action=retry&id=1x&csrf=" + csrf, cookie)).status == 400);
    CHECK(dead_count() == 2);
  }
  SUBCASE("without the CSRF token nothing changes") {
    CHECK(send(post("/dead", "action=retry&id=" + std::to_string(first), cookie)).status == 403);
    CHECK(dead_count() == 2);
  }
}

TEST_CASE_FIXTURE(Fixture, "a viewer sees the dead letters without buttons, and its POST is refused") {
  std::int64_t handler = add_handler("/bin/sh -c 'exit 3'");
  std::int64_t id = add_dead_letter(handler, "client_create");
  std::string cookie = log_in(k_viewer);
  Response list = send(get("/dead", cookie));
  CHECK(list.status == 200);
  CHECK(list.body.find("data-dead=\"" + std::to_string(id) + "\"") != std::string::npos);
  CHECK(list.body.find("retry-selected") == std::string::npos);
  CHECK(list.body.find("drop-selected") == std::string::npos);
  CHECK(list.body.find("name=\"id\"") == std::string::npos);
  std::string csrf = csrf_of(cookie);
  CHECK(send(post("/dead", "action=retry&id=" + std::to_string(id) + "&csrf=" + csrf, cookie)).status == 403);
  CHECK(dead_count() == 1);
}

TEST_SUITE_END();
