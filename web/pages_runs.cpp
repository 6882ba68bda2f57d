// SPDX-License-Identifier: MIT
// The Runs page (the run log with the CLI's filters, keyset pages, live while open), one run's
// page with its output, and "Run again" (replay).
#include "common/clock.hpp"
#include "handlers/run_log.hpp"
#include "manage/handler_check.hpp"
#include "manage/replay.hpp"
#include "manage/runs.hpp"
#include "web/page.hpp"

namespace eventmgr::web {
namespace {

constexpr std::size_t k_page_size = 50;

struct RunQuery {
  handlers::RunFilter filter;
  std::string problem; // a filter that cannot be used, said to the user
  std::string event, handler, since, before;
  bool failed = false;
};

std::optional<std::int64_t> positive(const std::string& text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  std::int64_t value = std::stoll(text);
  return value > 0 ? std::optional<std::int64_t>(value) : std::nullopt;
}

RunQuery read_query(const PageContext& context, sqlite::Database& db) {
  const Params& q = context.request.query;
  RunQuery out;
  out.event = q.value_or("event");
  out.handler = q.value_or("handler");
  out.since = q.value_or("since");
  out.before = q.value_or("before");
  out.failed = q.value_or("failed") == "1";
  out.filter.limit = k_page_size;
  out.filter.failed_only = out.failed;
  if (!out.event.empty()) {
    if (!manage::run_event_known(context.app.catalog(), db, out.event)) {
      out.problem = manage::unknown_event_message(context.app.catalog(), out.event);
    }
    out.filter.event = out.event;
  }
  if (!out.handler.empty()) {
    out.filter.handler_id = positive(out.handler);
    if (!out.filter.handler_id) {
      out.problem = "handler must be a handler id (a positive number), not '" + out.handler + "'";
    }
  }
  if (!out.since.empty()) {
    auto ago = parse_duration(out.since);
    auto at = ago ? std::optional<std::int64_t>(now_ms() - *ago) : parse_time(out.since);
    if (!at) {
      out.problem =
          "since must be a duration (2h, 30m, 7d) or a time (2026-12-01 08:00), not '" + out.since + "'";
    }
    out.filter.since = at;
  }
  if (!out.before.empty()) {
    out.filter.before_id = positive(out.before);
  }
  return out;
}

// The query string of the filters (without the page), for links.
std::string filter_query(const RunQuery& query) {
  std::string out;
  auto add = [&out](const char* name, const std::string& value) {
    if (!value.empty()) {
      // Appends, not `sep + ...`: GCC 12 at -O2 reports a false -Wrestrict on that operator+.
      out.append(out.empty() ? "" : "&").append(name).append("=").append(url_encode(value));
    }
  };
  add("event", query.event);
  add("handler", query.handler);
  add("since", query.since);
  add("failed", query.failed ? "1" : "");
  return out;
}

std::string result_class(const handlers::RunRow& row) {
  if (row.state == handlers::RunState::ok) {
    return "ok";
  }
  return handlers::is_failure(row.state) ? "bad" : "muted";
}

std::string duration_text(const handlers::RunRow& row) {
  return row.finished_at ? format_duration(std::max<std::int64_t>(0, *row.finished_at - row.started_at))
                         : "-";
}

std::string rows_html(const std::vector<handlers::RunRow>& rows) {
  std::string out;
  for (const auto& row : rows) {
    std::string id = std::to_string(row.id);
    out += "<tr data-run=\"" + id + "\"><td>" + html(local_time(row.started_at)) +
           "</td><td><a href=\"/runs/" + id + "\">" + id + "</a></td><td class=\"wide\">" +
           std::to_string(row.event_seq) + "</td><td>" + html(row.event) + "</td><td><a href=\"/handlers/" +
           std::to_string(row.handler_id) + "\">" + std::to_string(row.handler_id) +
           "</a></td><td class=\"wide\">" + html(row.user) + "</td><td class=\"wide\">" + duration_text(row) +
           "</td><td class=\"" + result_class(row) + "\">" + html(handlers::describe_result(row)) +
           "</td></tr>";
  }
  return out;
}

Response runs_page(PageContext& context) {
  auto db = context.app.database(events::OpenFor::read_only);
  if (!db) {
    return error_page(context, 503, "cannot read the run log: " + db.error().message);
  }
  RunQuery query = read_query(context, *db);
  std::string body =
      "<h1>Runs</h1><form class=\"filters\" method=\"get\" action=\"/runs\">"
      "<label>Event<input type=\"text\" name=\"event\" value=\"" +
      html(query.event) +
      "\" list=\"event-names\"></label>"
      "<label>Handler<input type=\"number\" min=\"1\" name=\"handler\" value=\"" +
      html(query.handler) +
      "\"></label><label>Since<input type=\"text\" name=\"since\" placeholder=\"2h, 7d\" value=\"" +
      html(query.since) +
      "\"></label><label><span>Failed only</span><input type=\"checkbox\" name=\"failed\" value=\"1\"" +
      (query.failed ? " checked" : "") +
      "></label><button type=\"submit\">Filter</button></form><datalist id=\"event-names\">";
  for (const auto& def : context.app.catalog().events()) {
    body += "<option value=\"" + html(def.name) + "\">";
  }
  body += "</datalist>";
  if (!query.problem.empty()) {
    body += notice("error", query.problem);
    return page(context, "Runs", "/runs", body, 400);
  }
  handlers::RunLog runs(*db);
  manage::RunPage result = manage::run_page(runs, query.filter);
  std::string filters = filter_query(query);
  bool first_page = !query.filter.before_id;
  body += "<p class=\"live\" id=\"live-note\">" +
          std::string(first_page ? "Newest first. Reload to see new runs." : "Older runs.") +
          "</p><div class=\"scroll\"><table id=\"runs-table\"><thead><tr><th>Time</th><th>Run</th><th "
          "class=\"wide\">Event id</th>"
          "<th>Event</th><th>Handler</th><th class=\"wide\">User</th><th "
          "class=\"wide\">Duration</th><th>Result</th></tr></thead>"
          "<tbody id=\"runs\"";
  if (first_page) {
    body += " data-live=\"/runs/rows" + html(filters.empty() ? "" : "?" + filters) + "\"";
  }
  body += ">" + rows_html(result.rows) + "</tbody></table></div>";
  if (result.rows.empty()) {
    body +=
        "<p class=\"muted\" id=\"no-runs\">No runs" + std::string(filters.empty() ? "" : " match") + ".</p>";
  }
  body += "<div class=\"pager\">";
  if (!first_page) {
    body += "<a href=\"/runs" + html(filters.empty() ? "" : "?" + filters) + "\">Newest</a>";
  }
  if (result.older_before_id) {
    body +=
        "<a rel=\"next\" href=\"/runs?" +
        html(filters + (filters.empty() ? "" : "&") + "before=" + std::to_string(*result.older_before_id)) +
        "\">Older runs</a>";
  }
  body += "</div>";
  return page(context, "Runs", "/runs", body);
}

Response run_rows(PageContext& context) {
  auto db = context.app.database(events::OpenFor::read_only);
  Response response;
  response.content_type = "text/html; charset=utf-8";
  if (!db) {
    response.status = 503;
    return response;
  }
  RunQuery query = read_query(context, *db);
  if (!query.problem.empty()) {
    response.status = 400;
    return response;
  }
  query.filter.before_id.reset();
  handlers::RunLog runs(*db);
  response.body = rows_html(manage::run_page(runs, query.filter).rows);
  return response;
}

std::string output_html(const char* name, const std::string& text, bool truncated) {
  std::string out = "<h2>" + std::string(name) + " <span class=\"muted\">(" + std::to_string(text.size()) +
                    " bytes" + (truncated ? ", truncated" : "") + ")</span></h2>";
  if (text.empty()) {
    return out + "<p class=\"muted\">empty</p>";
  }
  return out + "<pre id=\"" + name + "\">" + html_lines(text) + "</pre>";
}

Response run_page(PageContext& context) {
  auto db = context.app.database(events::OpenFor::read_only);
  if (!db) {
    return error_page(context, 503, "cannot read the run log: " + db.error().message);
  }
  std::int64_t id = context.ids.at(0);
  auto row = handlers::RunLog(*db).get(id);
  if (!row) {
    return error_page(context, 404, "No run " + std::to_string(id) + " (pruned, or never existed).");
  }
  std::string body = "<h1>Run " + std::to_string(row->id) + "</h1>";
  if (auto queued = context.request.query.get("queued")) {
    body += notice("ok", "Replay queued (request " + *queued +
                             "); the new attempt appears on the Runs page when it has run.");
  }
  body += "<dl class=\"facts\"><dt>Event</dt><dd>" + std::to_string(row->event_seq) + " " + html(row->event) +
          "</dd><dt>Handler</dt><dd><a href=\"/handlers/" + std::to_string(row->handler_id) + "\">" +
          std::to_string(row->handler_id) + "</a></dd><dt>Attempt</dt><dd>" + std::to_string(row->attempt) +
          "</dd><dt>User</dt><dd>" + html(row->user) + "</dd><dt>Started</dt><dd>" +
          html(local_time(row->started_at)) + "</dd><dt>Finished</dt><dd>" +
          (row->finished_at ? html(local_time(*row->finished_at)) : "-") + "</dd><dt>Duration</dt><dd>" +
          duration_text(*row) + "</dd><dt>Result</dt><dd id=\"result\" class=\"" + result_class(*row) +
          "\">" + html(handlers::describe_result(*row)) + "</dd></dl>";
  body += "<form method=\"post\" action=\"/runs/" + std::to_string(row->id) + "/replay\">" +
          csrf_field(context) + "<button type=\"submit\" id=\"replay\"" +
          (context.admin() ? "" : " disabled title=\"admin only\"") +
          ">Run again</button> <span class=\"hint\">runs handler " + std::to_string(row->handler_id) +
          " for event " + std::to_string(row->event_seq) + " again, as a new attempt</span></form>";
  body += "<h2>argv <span class=\"muted\">(" + std::to_string(row->argv.size()) +
          " words, secrets as ***)</span></h2><ol start=\"0\" class=\"argv\">";
  for (const auto& word : row->argv) {
    body += "<li><code>" + html(word) + "</code></li>";
  }
  body += "</ol>" + output_html("stdout", row->out, row->out_truncated) +
          output_html("stderr", row->err, row->err_truncated);
  return page(context, "Run " + std::to_string(row->id), "/runs", body);
}

Response replay_run(PageContext& context) {
  auto db = context.app.database(events::OpenFor::cli);
  if (!db) {
    return error_page(context, 503, "cannot open the database: " + db.error().message);
  }
  std::int64_t id = context.ids.at(0);
  auto row = handlers::RunLog(*db).get(id);
  if (!row) {
    return error_page(context, 404, "No run " + std::to_string(id) + " (pruned, or never existed).");
  }
  auto queued = manage::request_replay(*db, std::to_string(row->event_seq), row->handler_id);
  if (!queued) {
    return error_page(context, 409, "Cannot run again: " + queued.error().message);
  }
  context.app.audit(context, "replay of event " + std::to_string(queued->event_seq) + " (" + queued->event +
                                 "), handler " + std::to_string(row->handler_id) + ", from run " +
                                 std::to_string(id) + ": request " + std::to_string(queued->request));
  return redirect("/runs/" + std::to_string(id) + "?queued=" + std::to_string(queued->request));
}

} // namespace

void add_run_pages(Router<PageHandler>& router) {
  router.add("GET", "/runs", Access::viewer, runs_page);
  router.add("GET", "/runs/rows", Access::viewer, run_rows);
  router.add("GET", "/runs/{id}", Access::viewer, run_page);
  router.add("POST", "/runs/{id}/replay", Access::admin, replay_run);
}

} // namespace eventmgr::web
