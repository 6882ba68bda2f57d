// SPDX-License-Identifier: MIT
// The Handlers page: the seed's list (Event, Priority, User, Command) with enabled and the last
// result, sortable and searchable, with Remove / Enable / Disable selected.
#include "handlers/handler_store.hpp"
#include "manage/runs.hpp"
#include "web/handler_form.hpp"
#include "web/page.hpp"

#include <algorithm>

namespace eventmgr::web {
namespace {

const std::vector<std::pair<std::string, std::string>> k_columns = {
    {"id", "Id"},           {"event", "Event"},     {"priority", "Priority"}, {"user", "User"},
    {"command", "Command"}, {"enabled", "Enabled"}, {"result", "Last result"}};

bool contains_folded(const std::string& text, const std::string& needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

Response handlers_page(PageContext& context) {
  const Params& q = context.request.query;
  std::string sort = q.value_or("sort", "event");
  if (std::none_of(k_columns.begin(), k_columns.end(), [&sort](const auto& c) { return c.first == sort; })) {
    sort = "event";
  }
  bool descending = q.value_or("dir") == "desc";
  std::string search = q.value_or("q");

  std::vector<handlers::Handler> list;
  std::map<std::int64_t, manage::LastResult> results;
  if (auto db = context.app.database(events::OpenFor::read_only)) {
    list = handlers::HandlerStore(*db).list();
    results = manage::last_results(*db);
  }
  const auto& catalog = context.app.catalog();
  if (!search.empty()) {
    std::erase_if(list, [&](const handlers::Handler& h) {
      const auto* def = catalog.find(h.event);
      return !contains_folded(h.event, search) && !contains_folded(h.command, search) &&
             !contains_folded(h.user, search) && !contains_folded(h.description, search) &&
             !(def != nullptr && contains_folded(def->description, search));
    });
  }
  auto result_text = [&results](std::int64_t id) {
    auto found = results.find(id);
    return found == results.end() ? std::string() : found->second.text;
  };
  std::stable_sort(list.begin(), list.end(), [&](const handlers::Handler& a, const handlers::Handler& b) {
    auto key = [&](const handlers::Handler& h) -> std::tuple<std::string, std::int64_t> {
      if (sort == "priority") {
        return {"", h.priority};
      }
      if (sort == "id") {
        return {"", h.id};
      }
      if (sort == "user") {
        return {h.user, h.id};
      }
      if (sort == "command") {
        return {h.command, h.id};
      }
      if (sort == "enabled") {
        return {h.enabled ? "1" : "0", h.id};
      }
      if (sort == "result") {
        return {result_text(h.id), h.id};
      }
      // The execution order within an event: highest priority first.
      return {h.event, -static_cast<std::int64_t>(h.priority)};
    };
    return descending ? key(b) < key(a) : key(a) < key(b);
  });

  std::string body = "<h1>Event handlers</h1>";
  if (auto done = q.get("done")) {
    body += notice("ok", *done);
  }
  if (auto problem = q.get("problem")) {
    body += notice("error", *problem);
  }
  body += "<div class=\"actions\"><a class=\"button\" id=\"add-handler\" href=\"/handlers/new\">Add New "
          "Event Handler</a>"
          "<form class=\"filters\" method=\"get\" action=\"/handlers\"><input type=\"hidden\" name=\"sort\" "
          "value=\"" +
          html(sort) +
          "\"><input type=\"search\" name=\"q\" placeholder=\"Search\" aria-label=\"Search\" value=\"" +
          html(search) + "\"><button type=\"submit\" class=\"secondary\">Search</button></form></div>";
  body += "<form method=\"post\" action=\"/handlers\" id=\"handlers-form\">" + csrf_field(context) +
          "<div class=\"scroll\"><table id=\"handlers\"><thead><tr><th><input type=\"checkbox\" "
          "id=\"select-all\" "
          "aria-label=\"select all\" hidden></th>";
  for (const auto& [name, label] : k_columns) {
    bool current = name == sort;
    std::string link = "/handlers?sort=" + name + (current && !descending ? "&dir=desc" : "") +
                       (search.empty() ? "" : "&q=" + url_encode(search));
    body += "<th" + std::string(name == "id" || name == "enabled" ? " class=\"wide\"" : "") + "><a href=\"" +
            html(link) + "\">" + label + (current ? (descending ? " &#9660;" : " &#9650;") : "") +
            "</a></th>";
  }
  body += "</tr></thead><tbody>";
  for (const auto& h : list) {
    std::string id = std::to_string(h.id);
    const auto* def = catalog.find(h.event);
    auto result = results.find(h.id);
    body += "<tr data-handler=\"" + id + "\"><td><input type=\"checkbox\" name=\"id\" value=\"" + id +
            "\" aria-label=\"select handler " + id + "\"></td><td class=\"wide\"><a href=\"/handlers/" + id +
            "\">" + id + "</a></td><td><a href=\"/handlers/" + id + "\">" + html(h.event) + "</a>" +
            (def != nullptr ? "<br><span class=\"muted\">" + html(def->description) + "</span>" : "") +
            "</td><td>" + std::to_string(h.priority) + "</td><td>" + html(h.user) +
            "</td><td class=\"cmd\">" + html(h.command) + "</td><td class=\"wide\">" +
            (h.enabled ? "yes" : "<span class=\"muted\">no</span>") + "</td><td>";
    if (result != results.end()) {
      body += "<a class=\"" +
              std::string(result->second.state == handlers::RunState::ok ? "ok"
                          : handlers::is_failure(result->second.state)   ? "bad"
                                                                         : "muted") +
              "\" href=\"/runs/" + std::to_string(result->second.run_id) + "\">" + html(result->second.text) +
              "</a>";
    } else {
      body += "<span class=\"muted\">never ran</span>";
    }
    body += "</td></tr>";
  }
  body += "</tbody></table></div>";
  if (list.empty()) {
    body += "<p class=\"muted\">" + std::string(search.empty() ? "No handlers yet." : "No handlers match.") +
            "</p>";
  }
  std::string disabled = context.admin() ? "" : " disabled title=\"admin only\"";
  body += "<div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"remove\" class=\"danger\" "
          "id=\"remove-selected\"" +
          disabled +
          ">Remove selected</button><button type=\"submit\" name=\"action\" value=\"enable\" "
          "class=\"secondary\" id=\"enable-selected\"" +
          disabled +
          ">Enable selected</button><button type=\"submit\" name=\"action\" value=\"disable\" "
          "class=\"secondary\" id=\"disable-selected\"" +
          disabled + ">Disable selected</button></div></form>";
  return page(context, "Handlers", "/handlers", body);
}

Response change_selected(PageContext& context) {
  std::string action = context.request.form.value_or("action");
  if (action != "remove" && action != "enable" && action != "disable") {
    return error_page(context, 400, "Unknown action '" + action + "'; valid: remove, enable, disable.");
  }
  std::vector<std::int64_t> ids;
  for (const auto& text : context.request.form.all("id")) {
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
      return error_page(context, 400, "Handler id '" + text + "' is not a number.");
    }
    ids.push_back(std::stoll(text));
  }
  if (ids.empty()) {
    return redirect("/handlers?problem=" + url_encode("Select one or more handlers first."));
  }
  auto db = context.app.database(events::OpenFor::cli);
  if (!db) {
    return error_page(context, 503, "cannot open the database: " + db.error().message);
  }
  handlers::HandlerStore store(*db);
  std::string done_word = action == "remove" ? "removed" : action == "enable" ? "enabled" : "disabled";
  std::string done;
  std::string missing;
  for (std::int64_t id : ids) {
    bool ok = action == "remove" ? store.remove(id) : store.set_enabled(id, action == "enable");
    std::string& list = ok ? done : missing;
    list += (list.empty() ? "" : ", ") + std::to_string(id);
  }
  if (!done.empty()) {
    context.app.audit(context, done_word + " handler(s) " + done);
  }
  std::string message = done.empty() ? "" : done_word + " handler(s) " + done + ".";
  if (!missing.empty()) {
    // Appends, not `sep + ...`: GCC 12 at -O2 reports a false -Wrestrict on that operator+.
    message.append(message.empty() ? "" : " ").append("No handler ").append(missing).append(" (removed meanwhile?).");
  }
  return redirect("/handlers?done=" + url_encode(message));
}

} // namespace

void add_handler_pages(Router<PageHandler>& router) {
  router.add("GET", "/handlers", Access::viewer, handlers_page);
  router.add("POST", "/handlers", Access::admin, change_selected);
  add_handler_form_pages(router);
}

} // namespace eventmgr::web
