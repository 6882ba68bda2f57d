// SPDX-License-Identifier: MIT
#include "web/page.hpp"

#include "common/clock.hpp"

namespace eventmgr::web {

std::string csrf_field(const PageContext& context) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + (context.session ? context.session->csrf : "") +
         "\">";
}

std::string notice(const std::string& kind, const std::string& text) {
  return "<div class=\"notice " + kind + "\" role=\"" + (kind == "error" ? "alert" : "status") + "\">" +
         html_lines(text) + "</div>";
}

std::string local_time(std::int64_t ms) {
  return format_local_time(ms);
}

std::string page_html(const PageContext& context, const std::string& title, const std::string& current,
                      const std::string& body) {
  static const std::pair<const char*, const char*> k_nav[] = {
      {"/handlers", "Handlers"}, {"/runs", "Runs"},     {"/rejected", "Rejected"},
      {"/dead", "Dead letters"}, {"/status", "Status"}, {"/catalog", "Catalog"}};
  std::string out = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
                    html(title) +
                    " - Event Manager</title><link rel=\"stylesheet\" href=\"/static/style.css\">"
                    "<script src=\"/static/app.js\" defer></script></head><body><header>"
                    "<span class=\"brand\">Event Manager</span><nav>";
  for (const auto& [href, label] : k_nav) {
    out += std::string("<a href=\"") + href + "\"" +
           (current == href ? " class=\"current\" aria-current=\"page\"" : "") + ">" + label + "</a>";
  }
  out += "</nav><div class=\"who\">";
  if (context.session) {
    out += "<span id=\"role\">" + std::string(to_string(context.session->role)) +
           "</span><form method=\"post\" action=\"/logout\">" + csrf_field(context) +
           "<button type=\"submit\">Log out</button></form>";
  }
  out += "</div></header><main>" + body + "</main></body></html>";
  return out;
}

Response page(const PageContext& context, const std::string& title, const std::string& current,
              const std::string& body, int status) {
  Response response;
  response.status = status;
  response.body = page_html(context, title, current, body);
  return response;
}

Response error_page(const PageContext& context, int status, const std::string& message) {
  return page(context, "Error", "", "<h1>" + std::to_string(status) + "</h1>" + notice("error", message),
              status);
}

} // namespace eventmgr::web
