// SPDX-License-Identifier: MIT
// Rejected records with their reason and "Resubmit"; the Dead letters page.
#include "events/journal.hpp"
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
  // Dead letters (runs that used up their retries) come with the delivery work; this page then
  // lists them with "Retry".
  return page(context, "Dead letters", "/dead",
              "<h1>Dead letters</h1>" +
                  notice("note",
                         "Dead letters are not available in this build: handlers run once per event, and a "
                         "failed run stays on the Runs page, where \"Run again\" replays it."));
}

} // namespace

void add_record_pages(Router<PageHandler>& router) {
  router.add("GET", "/rejected", Access::viewer, rejected_page);
  router.add("POST", "/rejected/{id}/resubmit", Access::admin, resubmit);
  router.add("GET", "/dead", Access::viewer, dead_page);
}

} // namespace eventmgr::web
