// SPDX-License-Identifier: MIT
// The Status page (daemon, backlog, pickup, last error, runs per hour as SVG) and the Catalog.
#include "common/clock.hpp"
#include "manage/runs.hpp"
#include "manage/status.hpp"
#include "web/page.hpp"

#include <algorithm>

namespace eventmgr::web {
namespace {

std::string age(std::optional<std::int64_t> since, std::int64_t now) {
  return since ? format_duration(std::max<std::int64_t>(0, now - *since)) : "-";
}

// Runs per hour, ok stacked under failed, drawn on the server: no script, no library.
std::string chart_svg(const std::array<manage::HourCounts, 24>& hours) {
  constexpr int k_width = 720, k_height = 200, k_left = 36, k_bottom = 22, k_top = 10;
  std::int64_t peak = 1;
  for (const auto& hour : hours) {
    peak = std::max(peak, hour.ok + hour.failed);
  }
  const int plot = k_height - k_bottom - k_top;
  const int slot = (k_width - k_left - 4) / 24;
  std::string out = "<svg class=\"chart\" id=\"chart\" viewBox=\"0 0 " + std::to_string(k_width) + " " +
                    std::to_string(k_height) + "\" role=\"img\" aria-label=\"runs per hour, last 24 hours\">";
  out += "<line class=\"axis\" x1=\"" + std::to_string(k_left) + "\" y1=\"" + std::to_string(k_top + plot) +
         "\" x2=\"" + std::to_string(k_width - 2) + "\" y2=\"" + std::to_string(k_top + plot) + "\"/>";
  out += "<text x=\"2\" y=\"" + std::to_string(k_top + 8) + "\">" + std::to_string(peak) +
         "</text><text x=\"2\" y=\"" + std::to_string(k_top + plot) + "\">0</text>";
  for (std::size_t i = 0; i < hours.size(); ++i) {
    const auto& hour = hours[i];
    int x = k_left + static_cast<int>(i) * slot + 2;
    int ok_h = static_cast<int>(hour.ok * plot / peak);
    int bad_h = static_cast<int>(hour.failed * plot / peak);
    int y = k_top + plot - ok_h;
    std::string title = local_time(hour.hour_start).substr(11, 5) + ": " + std::to_string(hour.ok) + " ok, " +
                        std::to_string(hour.failed) + " failed";
    out += "<g><title>" + html(title) + "</title>";
    if (ok_h > 0) {
      out += "<rect class=\"okbar\" x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) +
             "\" width=\"" + std::to_string(slot - 4) + "\" height=\"" + std::to_string(ok_h) + "\"/>";
    }
    if (bad_h > 0) {
      out += "<rect class=\"badbar\" x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y - bad_h) +
             "\" width=\"" + std::to_string(slot - 4) + "\" height=\"" + std::to_string(bad_h) + "\"/>";
    }
    out += "</g>";
    if (i % 3 == 0) {
      out += "<text x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(k_height - 6) + "\">" +
             html(local_time(hour.hour_start).substr(11, 5)) + "</text>";
    }
  }
  return out + "</svg>";
}

Response status_page(PageContext& context) {
  const Config& config = context.app.config();
  manage::StatusFacts facts = manage::read_status(config, context.now);
  std::string body = "<h1>Status</h1><dl class=\"facts\"><dt>Daemon</dt><dd id=\"daemon\" class=\"" +
                     std::string(facts.running ? "ok\">running" : "bad\">not running");
  if (facts.running && facts.pid) {
    body += " (pid " + html(*facts.pid) + ")";
  }
  if (facts.running && facts.started_at) {
    body += " since " + html(local_time(std::stoll(*facts.started_at)));
  }
  body += "</dd>";
  if (facts.backlog) {
    body += "<dt>Pending</dt><dd>" + std::to_string(facts.backlog->count) + " events, oldest " +
            age(facts.backlog->oldest_received_at, context.now) + "</dd>";
  }
  body +=
      "<dt>Pickup</dt><dd>" + std::to_string(facts.pickup.files) + " files waiting, oldest " +
      age(facts.pickup.oldest_ms, context.now) +
      (facts.pickup.error.empty() ? "" : " (cannot read the directory: " + html(facts.pickup.error) + ")") +
      "</dd>";
  if (facts.counters) {
    body += "<dt>Records</dt><dd>" + std::to_string(facts.counters->accepted) + " accepted, " +
            std::to_string(facts.counters->rejected) + " rejected, " +
            std::to_string(facts.counters->duplicate) + " duplicate</dd><dt>Last hour</dt><dd>" +
            std::to_string(facts.last_hour->ok) + " runs ok, " + std::to_string(facts.last_hour->failed) +
            " failed" +
            (facts.last_hour->failed > 0 ? " (<a href=\"/runs?failed=1&amp;since=1h\">list them</a>)" : "") +
            "</dd><dt>Daemon error</dt><dd>" +
            (facts.last_error ? "last " + html(*facts.last_error) : "none") + "</dd>";
  } else {
    body += "<dt>Database</dt><dd>" + html(facts.database_problem) + "</dd>";
  }
  body += "<dt>State dir</dt><dd><code>" + html(config.state_dir.string()) + "</code></dd></dl>";
  if (auto db = context.app.database(events::OpenFor::read_only)) {
    body += "<h2>Runs per hour, last 24 hours</h2><p class=\"legend\"><span class=\"okkey\">&#9632; ok</span>"
            "<span class=\"badkey\">&#9632; failed</span></p>" +
            chart_svg(manage::runs_per_hour(*db, context.now));
  }
  return page(context, "Status", "/status", body);
}

Response catalog_page(PageContext& context) {
  const auto& events = context.app.catalog().events();
  std::string body = "<h1>Catalog</h1><p class=\"hint\">" + std::to_string(events.size()) +
                     " events. A handler's command names a parameter as <code>&lt;new_X&gt;</code> or "
                     "<code>&lt;old_X&gt;</code>.</p><p>";
  std::string last_group;
  for (const auto& def : events) {
    if (def.group != last_group) {
      body += std::string(last_group.empty() ? "" : " &middot; ") + "<a href=\"#group-" + html(def.group) +
              "\">" + html(def.group) + "</a>";
      last_group = def.group;
    }
  }
  body += "</p>";
  last_group.clear();
  for (const auto& def : events) {
    if (def.group != last_group) {
      body += "<h2 id=\"group-" + html(def.group) + "\">" + html(def.group) + "</h2>";
      last_group = def.group;
    }
    body += "<h3 id=\"event-" + html(def.name) + "\"><code>" + html(def.name) + "</code> " +
            html(def.description) +
            "</h3><div class=\"scroll\"><table><thead><tr><th>Parameter</th><th>Meaning</th><th>Required</th>"
            "<th>Secret</th></tr></thead><tbody>";
    for (const auto& param : def.params) {
      body += "<tr><td><code>" + html(param.name) + "</code></td><td>" + html(param.label) + "</td><td>" +
              (param.required ? "yes" : "") + "</td><td>" + (param.secret ? "yes" : "") + "</td></tr>";
    }
    body += "</tbody></table></div>";
  }
  return page(context, "Catalog", "/catalog", body);
}

} // namespace

void add_info_pages(Router<PageHandler>& router) {
  router.add("GET", "/status", Access::viewer, status_page);
  router.add("GET", "/catalog", Access::viewer, catalog_page);
}

} // namespace eventmgr::web
