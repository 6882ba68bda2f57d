// SPDX-License-Identifier: MIT
// Rejected records with their reason and "Resubmit"; dead letters with Retry / Drop selected.
#include "events/journal.hpp"
#include "manage/dead_letters.hpp"
#include "manage/rejected.hpp"
#include "web/page.hpp"

namespace eventmgr::web {
namespace {

constexpr std::size_t k_page_size = 100;

Response rejected_page(PageContext& context) {
  auto db = context.app.database(events::OpenFor::read_only);
  if (!db) {
    return error_page(context, 503, "cannot read the journal: " + db.error().message);
  }
  events::Journal journal(*db);
  auto records = journal.list_rejected(0, k_page_size, 200);
  std::string body = "<h1>Rejected records</h1>";
  if (auto done = context.request.query.get("resubmitted")) {
    body += notice("ok",
                   "Record " + *done + " resubmitted through the pickup dir; the daemon validates it again.");
  }
  body +=
      "<p class=\"hint\">The newest " + std::to_string(k_page_size) +
      " records the daemon refused, with the reason; secret values show as ***. Resubmit validates a record "
      "again against the current catalog.</p>";
  if (records.empty()) {
    return page(context, "Rejected", "/rejected", body + "<p class=\"muted\">No rejected records.</p>");
  }
  body += "<div class=\"scroll\"><table><thead><tr><th>Id</th><th>Received</th><th "
          "class=\"wide\">Via</th><th>Reason</th>"
          "<th>Record</th><th></th></tr></thead><tbody>";
  for (const auto& record : records) {
    std::string id = std::to_string(record.id);
    body += "<tr id=\"rejected-" + id + "\"><td>" + id + "</td><td>" + html(local_time(record.received_at)) +
            "</td><td class=\"wide\">" + html(record.via) + (record.resubmitted_at ? " (resubmitted)" : "") +
            "</td><td>" + html(record.reason) + "</td><td class=\"cmd\">" +
            html(manage::shown_raw(&context.app.catalog(), record.raw)) +
            "</td><td><form method=\"post\" action=\"/rejected/" + id + "/resubmit\">" + csrf_field(context) +
            "<button type=\"submit\" class=\"secondary\"" +
            (context.admin() ? "" : " disabled title=\"admin only\"") + ">Resubmit</button></form></td></tr>";
  }
  body += "</tbody></table></div>";
  return page(context, "Rejected", "/rejected", body);
}

Response resubmit(PageContext& context) {
  auto db = context.app.database(events::OpenFor::cli);
  if (!db) {
    return error_page(context, 503, "cannot open the journal: " + db.error().message);
  }
  events::Journal journal(*db);
  auto record = manage::find_rejected(journal, context.ids.at(0));
  if (!record) {
    return error_page(context, 404, record.error().message);
  }
  auto prepared = manage::prepare_resubmit(*record, context.app.catalog());
  if (!prepared) {
    return error_page(context, 422, prepared.error().message);
  }
  auto file = manage::deliver_resubmit(context.app.config(), journal, *prepared);
  if (!file) {
    return error_page(context, 500, file.error().message);
  }
  context.app.audit(context, "resubmitted rejected record " + std::to_string(record->id) + " as " +
                                 prepared->submit_id + " (" + file->string() + ")");
  return redirect("/rejected?resubmitted=" + std::to_string(record->id));
}

Response dead_page(PageContext& context) {
  auto db = context.app.database(events::OpenFor::read_only);
  if (!db) {
    return error_page(context, 503, "cannot read the journal: " + db.error().message);
  }
  auto rows = manage::list_dead(*db, {});
  std::string body = "<h1>Dead letters</h1>";
  if (auto done = context.request.query.get("done")) {
    body += notice("ok", *done);
  }
  if (auto problem = context.request.query.get("problem")) {
    body += notice("error", *problem);
  }
  body +=
      "<p class=\"hint\">Runs whose retries are spent, oldest first. Retry queues the event for that "
      "handler again, as a new attempt with a new round of retries; Drop marks it handled without running "
      "it (as <code>eventmgr dead retry|drop</code>).</p>";
  if (rows.empty()) {
    return page(context, "Dead letters", "/dead", body + "<p class=\"muted\">No dead letters.</p>");
  }
  const bool admin = context.admin();
  body +=
      "<form method=\"post\" action=\"/dead\" id=\"dead-form\">" + csrf_field(context) +
      "<div class=\"scroll\"><table id=\"dead\"><thead><tr>" +
      (admin ? "<th><input type=\"checkbox\" id=\"select-all\" aria-label=\"select all\" hidden></th>" : "") +
      "<th class=\"wide\">Id</th><th>Event</th><th>Handler</th><th class=\"wide\">Attempts</th><th>Last "
      "result</th><th class=\"wide\">First failure</th><th>Last failure</th></tr></thead><tbody>";
  for (const auto& row : rows) {
    std::string id = std::to_string(row.id);
    std::string handler = std::to_string(row.handler_id);
    body += "<tr data-dead=\"" + id + "\">";
    if (admin) {
      body += "<td><input type=\"checkbox\" name=\"id\" value=\"" + id +
              "\" aria-label=\"select dead letter " + id + "\"></td>";
    }
    body += "<td class=\"wide\">" + id + "</td><td>" + html(row.event) + " <span class=\"muted\">#" +
            std::to_string(row.event_seq) + "</span></td><td><a href=\"/handlers/" + handler + "\">" +
            handler + "</a></td><td class=\"wide\">" + std::to_string(row.tries) +
            "</td><td><a class=\"bad\" href=\"/runs/" + std::to_string(row.last_run_id) + "\">" +
            html(row.last_result) + "</a></td><td class=\"wide\">" + html(local_time(row.first_failed_at)) +
            "</td><td>" + html(local_time(row.last_failed_at)) + "</td></tr>";
  }
  body += "</tbody></table></div>";
  if (admin) {
    body += "<div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"retry\" "
            "id=\"retry-selected\">Retry selected</button><button type=\"submit\" name=\"action\" "
            "value=\"drop\" class=\"danger\" id=\"drop-selected\">Drop selected</button></div>";
  }
  body += "</form>";
  return page(context, "Dead letters", "/dead", body);
}

Response change_dead(PageContext& context) {
  std::string action = context.request.form.value_or("action");
  if (action != "retry" && action != "drop") {
    return error_page(context, 400, "Unknown action '" + action + "'; valid: retry, drop.");
  }
  handlers::DeliveryFilter filter;
  for (const auto& text : context.request.form.all("id")) {
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
      return error_page(context, 400, "Dead letter id '" + text + "' is not a number.");
    }
    filter.ids.push_back(std::stoll(text));
  }
  // An empty filter selects every dead letter: the page acts only on boxes checked.
  if (filter.ids.empty()) {
    return redirect("/dead?problem=" + url_encode("Select one or more dead letters first."));
  }
  auto db = context.app.database(events::OpenFor::cli);
  if (!db) {
    return error_page(context, 503, "cannot open the journal: " + db.error().message);
  }
  const bool retry = action == "retry";
  manage::DeadLetterChange result = retry ? manage::retry_dead(*db, filter) : manage::drop_dead(*db, filter);
  std::string message;
  for (const auto& row : result.changed) {
    std::string what = std::string(retry ? "queued dead letter " : "dropped dead letter ") +
                       std::to_string(row.id) + ": event " + std::to_string(row.event_seq) + " (" +
                       row.event + ") handler " + std::to_string(row.handler_id);
    context.app.audit(context, what);
    message += (message.empty() ? "" : "; ") + what;
  }
  if (!message.empty()) {
    message += ".";
  }
  std::string unknown;
  for (std::int64_t id : result.unknown) {
    // Appends, not `sep + ...`: GCC 12 at -O2 reports a false -Wrestrict on that operator+.
    unknown.append(unknown.empty() ? "" : ", ").append(std::to_string(id));
  }
  if (!unknown.empty()) {
    message.append(message.empty() ? "" : " ").append("No dead letter ").append(unknown);
    message.append(" (retried or dropped meanwhile?).");
  }
  return redirect("/dead?done=" + url_encode(message));
}

} // namespace

void add_record_pages(Router<PageHandler>& router) {
  router.add("GET", "/rejected", Access::viewer, rejected_page);
  router.add("POST", "/rejected/{id}/resubmit", Access::admin, resubmit);
  router.add("GET", "/dead", Access::viewer, dead_page);
  router.add("POST", "/dead", Access::admin, change_dead);
}

} // namespace eventmgr::web
