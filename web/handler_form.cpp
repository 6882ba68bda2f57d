// SPDX-License-Identifier: MIT
// The "Add New Event Handler" form and the edit form: fields named like the CLI's options, the
// CLI's own refusals (manage/handler_edit.hpp) shown beside their field.
#include "web/handler_form.hpp"

#include "manage/handler_db.hpp"
#include "manage/handler_dry_run.hpp"
#include "manage/handler_edit.hpp"
#include "web/page.hpp"

#include <pwd.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace eventmgr::web {
namespace {

// The form as typed (or as stored, for an edit).
struct FormValues {
  std::string event;
  std::string command;
  std::string priority = "50";
  std::string user;
  std::string params; // parameter names for %1..%N, separated by spaces
  std::string timeout;
  std::string stdin_mode = "none";
  bool secrets = false;
  bool disabled = false;
  std::string description;
  bool literal = false;
  bool force = false;
  std::string test_values; // lines of new.KEY=VALUE / old.KEY=VALUE for the Test button
};

FormValues values_of(const handlers::Handler& handler) {
  FormValues out;
  out.event = handler.event;
  out.command = handler.command;
  out.priority = std::to_string(handler.priority);
  out.user = handler.user;
  for (const auto& param : handler.params) {
    out.params += (out.params.empty() ? "" : " ") + param;
  }
  out.timeout = std::to_string(handler.timeout);
  out.stdin_mode = std::string(handlers::to_string(handler.stdin_mode));
  out.secrets = handler.secrets;
  out.disabled = !handler.enabled;
  out.description = handler.description;
  return out;
}

FormValues values_of(const Params& params, FormValues base) {
  auto take = [&params](const char* name, std::string& field) {
    if (auto value = params.get(name)) {
      field = *value;
    }
  };
  take("event", base.event);
  take("command", base.command);
  take("priority", base.priority);
  if (auto custom = params.get("priority_custom"); custom && !custom->empty()) {
    base.priority = *custom;
  }
  take("user", base.user);
  take("param", base.params);
  take("timeout", base.timeout);
  take("stdin", base.stdin_mode);
  take("description", base.description);
  take("values", base.test_values);
  if (params.get("csrf")) { // a posted form: an absent check box is unchecked
    base.secrets = params.value_or("secrets") == "1";
    base.disabled = params.value_or("disabled") == "1";
    base.literal = params.value_or("literal") == "1";
    base.force = params.value_or("force") == "1";
  }
  return base;
}

manage::HandlerChange change_of(const FormValues& values) {
  manage::HandlerChange change;
  change.event = values.event;
  change.command = values.command;
  change.priority = values.priority;
  change.user = values.user;
  std::vector<std::string> params;
  std::istringstream split(values.params);
  for (std::string name; split >> name;) {
    params.push_back(name);
  }
  change.params = params;
  if (!values.timeout.empty()) {
    change.timeout = values.timeout;
  }
  change.stdin_mode = values.stdin_mode;
  change.secrets = values.secrets;
  change.description = values.description;
  change.enabled = !values.disabled;
  return change;
}

std::vector<std::string> system_users() {
  std::set<std::string> names;
  setpwent();
  while (struct passwd* entry = getpwent()) {
    names.insert(entry->pw_name);
  }
  endpwent();
  return {names.begin(), names.end()};
}

std::string option(const std::string& value, const std::string& label, bool selected) {
  return "<option value=\"" + html(value) + "\"" + (selected ? " selected" : "") + ">" + html(label) +
         "</option>";
}

std::string checkbox(const char* name, const char* label, bool checked, const char* hint) {
  return std::string("<div class=\"field\"><label><input type=\"checkbox\" name=\"") + name + "\" id=\"" +
         name + "\" value=\"1\"" + (checked ? " checked" : "") + "> " + label +
         "</label><div class=\"hint\">" + hint + "</div></div>";
}

// The form with `values`, each field's problems beside it and the rest (`general`) on top.
std::string form_html(const PageContext& context, const std::string& action, const FormValues& values,
                      const std::map<std::string, std::string>& problems, const std::string& general) {
  const auto& catalog = context.app.catalog();
  auto problem = [&problems](const std::string& field) {
    auto found = problems.find(field);
    return found == problems.end() ? std::string()
                                   : "<div class=\"problem\" id=\"problem-" + field + "\">" +
                                         html_lines(found->second) + "</div>";
  };
  std::string out;
  if (!general.empty()) {
    out += notice("error", general);
  }
  out += "<form method=\"post\" action=\"" + html(action) + "\" id=\"handler-form\" data-reload=\"1\">" +
         csrf_field(context);
  // Event, grouped by object as the catalog groups them.
  out +=
      "<div class=\"field\"><label for=\"event\">Event</label><select name=\"event\" id=\"event\" required>";
  if (values.event.empty()) {
    out += option("", "Choose an event", true);
  }
  std::string group;
  for (const auto& def : catalog.events()) {
    if (def.group != group) {
      out += std::string(group.empty() ? "" : "</optgroup>") + "<optgroup label=\"" + html(def.group) + "\">";
      group = def.group;
    }
    out += option(def.name, def.name + " - " + def.description, def.name == values.event);
  }
  if (!group.empty()) {
    out += "</optgroup>";
  }
  out += "</select><noscript><button type=\"submit\" formmethod=\"get\" formaction=\"" + html(action) +
         "\" class=\"secondary\">Show its parameters</button></noscript>" + problem("event");
  if (const auto* def = catalog.find(values.event)) {
    out += "<div class=\"hint\">Parameters (click to insert into the command):</div><div class=\"params\">";
    for (const auto& name : def->full_names()) {
      std::string token = "<" + name + ">";
      out += "<button type=\"button\" data-insert=\"" + html(token) + "\">" + html(token) + "</button>";
    }
    out += "</div>";
  }
  out += "</div>";
  // Priority: the seed's presets or a custom value.
  static const std::pair<const char*, const char*> k_presets[] = {{"0", "lowest (0)"},
                                                                  {"25", "low (25)"},
                                                                  {"50", "normal (50)"},
                                                                  {"75", "high (75)"},
                                                                  {"100", "highest (100)"}};
  bool preset = std::any_of(std::begin(k_presets), std::end(k_presets),
                            [&values](const auto& p) { return values.priority == p.first; });
  out += "<div class=\"field\"><label for=\"priority\">Priority</label><select name=\"priority\" "
         "id=\"priority\">";
  for (const auto& [value, label] : k_presets) {
    out += option(value, label, values.priority == value);
  }
  out += option("custom", "custom", !preset);
  out +=
      "</select> <input type=\"text\" name=\"priority_custom\" id=\"priority_custom\" inputmode=\"numeric\" "
      "placeholder=\"0..1000000\" aria-label=\"custom priority\" value=\"" +
      html(preset ? "" : values.priority) +
      "\"><div class=\"hint\">Higher runs first among one event's handlers.</div>" + problem("priority") +
      "</div>";
  // System user.
  std::string user = values.user.empty() ? context.app.config().default_user : values.user;
  out += "<div class=\"field\"><label for=\"user\">System user</label><select name=\"user\" id=\"user\">";
  auto users = system_users();
  if (std::find(users.begin(), users.end(), user) == users.end()) {
    out += option(user, user + " (no such user)", true);
  }
  for (const auto& name : users) {
    out += option(name, name, name == user);
  }
  out += "</select>" + problem("user") + "</div>";
  // Command.
  out +=
      "<div class=\"field\"><label for=\"command\">Command</label><textarea name=\"command\" id=\"command\" "
      "required spellcheck=\"false\">" +
      html(values.command) +
      "</textarea><div class=\"hint\">The program's full path, then its arguments; "
      "<code>&lt;new_x&gt;</code> and "
      "<code>&lt;old_x&gt;</code> become the event's values, each one argument. No shell runs it. Paths with "
      "spaces go in quotes.</div>" +
      problem("command") + "</div>";
  out += "<div class=\"field\"><label for=\"param\">Parameters for %1, %2, ...</label><input type=\"text\" "
         "name=\"param\" id=\"param\" value=\"" +
         html(values.params) + "\" placeholder=\"new_login_name new_contact_name\">" + problem("param") +
         "</div>";
  out +=
      "<div class=\"field\"><label for=\"timeout\">Timeout (seconds)</label><input type=\"number\" min=\"1\" "
      "max=\"86400\" name=\"timeout\" id=\"timeout\" value=\"" +
      html(values.timeout.empty() ? std::to_string(context.app.config().default_timeout) : values.timeout) +
      "\">" + problem("timeout") + "</div>";
  out +=
      "<div class=\"field\"><label for=\"stdin\">Standard input</label><select name=\"stdin\" id=\"stdin\">" +
      option("none", "none (/dev/null)", values.stdin_mode == "none") +
      option("json", "json (the event as JSON)", values.stdin_mode == "json") + "</select>" +
      problem("stdin") + "</div>";
  out += checkbox(
      "secrets", "Pass secret parameters", values.secrets,
      "Passwords reach the handler as NEW_X/OLD_X environment variables and in stdin json, never in the "
      "command.");
  out += "<div class=\"field\"><label for=\"description\">Description</label><input type=\"text\" "
         "name=\"description\" id=\"description\" value=\"" +
         html(values.description) + "\">" + problem("description") + "</div>";
  out += checkbox("disabled", "Disabled", values.disabled, "A disabled handler is kept but does not run.");
  out += checkbox(
      "literal", "Shell words are plain arguments", values.literal,
      "Accept words a shell would read as syntax (&gt;&gt;, |, $VAR): the program gets them as they are.");
  out += checkbox("force", "Register even if its user cannot run the program", values.force,
                  "A warning instead of a refusal; eventmgr check will report it.");
  out +=
      "<div class=\"field\"><label for=\"values\">Test values</label><textarea name=\"values\" id=\"values\" "
      "spellcheck=\"false\" placeholder=\"new.login_name=jdoe\">" +
      html(values.test_values) +
      "</textarea><div class=\"hint\">For the Test button: one <code>new.KEY=VALUE</code> or "
      "<code>old.KEY=VALUE</code> a line, as <code>eventmgr handler test</code> takes them. Test shows the "
      "argv "
      "and environment the handler would get; it runs and stores nothing.</div>" +
      problem("values") + "</div>";
  std::string disabled = context.admin() ? "" : " disabled title=\"admin only\"";
  out +=
      "<div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"save\" id=\"save\"" + disabled +
      ">OK</button><button type=\"submit\" name=\"action\" value=\"test\" id=\"test\" class=\"secondary\"" +
      disabled + ">Test</button><a class=\"button secondary\" href=\"/handlers\">Cancel</a></div></form>";
  return out;
}

Response form_page(PageContext& context, const std::string& title, const std::string& action,
                   const FormValues& values, const manage::Edited* refused, int status,
                   const std::string& above = {}) {
  std::map<std::string, std::string> problems;
  std::string general;
  if (refused != nullptr) {
    for (const auto& problem : refused->problems) {
      bool known = problem.field == "event" || problem.field == "command" || problem.field == "priority" ||
                   problem.field == "user" || problem.field == "timeout" || problem.field == "stdin" ||
                   problem.field == "description" || problem.field == "param" || problem.field == "values";
      std::string& slot = known ? problems[problem.field] : general;
      slot += (slot.empty() ? "" : "\n") + problem.message;
    }
    if (refused->refusal == manage::Refusal::unreachable) {
      problems["command"] += "\nfix that, or tick \"Register even if its user cannot run the program\"";
    }
    if (refused->refusal == manage::Refusal::shell_syntax) {
      problems["command"] += "\nor tick \"Shell words are plain arguments\" when they are meant as such";
    }
    general = "The handler is refused; see the fields below." + (general.empty() ? "" : "\n" + general);
  }
  return page(context, title, "/handlers",
              "<h1>" + html(title) + "</h1>" + above + form_html(context, action, values, problems, general),
              status);
}

manage::EditPolicy policy_of(const FormValues& values) {
  return {values.literal ? manage::ShellWords::literal : manage::ShellWords::refuse,
          values.force ? manage::Unreachable::warn : manage::Unreachable::refuse};
}

std::string warnings_text(const manage::Edited& edited) {
  std::string out;
  for (const auto& warning : edited.warnings) {
    out += " Warning: " + warning + " (registered anyway).";
  }
  return out;
}

// The Test button: the form's values vetted as registration vets them, then the dry run of
// `eventmgr handler test` (argv, environment, stdin), nothing stored or run.
Response test_page(PageContext& context, const std::string& title, const std::string& action,
                   const FormValues& values, const handlers::Handler& base) {
  manage::Edited vetted = manage::vet_change(base, change_of(values), context.app.catalog(),
                                             context.app.config(), policy_of(values));
  if (vetted.refusal != manage::Refusal::none && vetted.refusal != manage::Refusal::unreachable) {
    return form_page(context, title, action, values, &vetted, 422);
  }
  const handlers::Handler& handler = vetted.handler;
  const auto* def = context.app.catalog().find(handler.event);
  auto command = def != nullptr ? handlers::CommandTemplate::parse(handler, *def)
                                : Result<handlers::CommandTemplate>(make_error("unknown event"));
  if (!command) {
    manage::Edited refused = vetted;
    refused.refusal = manage::Refusal::invalid;
    refused.problems.push_back({"command", command.error().message});
    return form_page(context, title, action, values, &refused, 422);
  }
  std::vector<std::string> lines;
  std::istringstream split(values.test_values);
  for (std::string line; std::getline(split, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
      line.pop_back();
    }
    if (!line.empty()) {
      lines.push_back(line);
    }
  }
  std::vector<std::string> notes;
  auto event = manage::make_test_event(*def, lines, notes);
  if (!event) {
    manage::Edited refused = vetted;
    refused.refusal = manage::Refusal::invalid;
    refused.problems = {{"values", event.error().message}};
    return form_page(context, title, action, values, &refused, 422);
  }
  manage::DryRun dry = manage::dry_run(handler, *def, *command, *event);
  std::string out = "<section id=\"dry-run\"><h2>Test: what the handler would get</h2>";
  for (const auto& note : notes) {
    out += notice("note", note);
  }
  for (const auto& problem : dry.unreachable) {
    out += notice("error", problem);
  }
  out += "<h3>argv</h3><ol start=\"0\" class=\"argv\">";
  for (const auto& word : dry.argv) {
    out += "<li><code>" + html(word) + "</code></li>";
  }
  out += "</ol><h3>environment</h3><pre id=\"dry-env\">";
  for (const auto& entry : dry.env) {
    out += html(entry) + "\n";
  }
  out +=
      "</pre><h3>stdin</h3>" +
      (dry.stdin_text ? "<pre>" + html_lines(*dry.stdin_text) + "</pre>" : std::string("<p>/dev/null</p>")) +
      "</section>";
  return form_page(context, title, action, values, nullptr, 200, out);
}

Response new_form(PageContext& context) {
  FormValues values = values_of(context.request.query, FormValues{});
  return form_page(context, "Add New Event Handler", "/handlers/new", values, nullptr, 200);
}

Response add(PageContext& context) {
  FormValues values = values_of(context.request.form, FormValues{});
  if (context.request.form.value_or("action") == "test") {
    return test_page(context, "Add New Event Handler", "/handlers/new", values,
                     manage::new_handler(context.app.config()));
  }
  auto db = manage::open_handlers(context.app.config(), manage::Access::write);
  if (!db) {
    return error_page(context, 503, db.error().message);
  }
  manage::Edited added = manage::add_handler((*db)->store(), change_of(values), context.app.catalog(),
                                             context.app.config(), policy_of(values));
  if (added.refusal != manage::Refusal::none) {
    return form_page(context, "Add New Event Handler", "/handlers/new", values, &added, 422);
  }
  context.app.audit(context, "added handler " + std::to_string(added.handler.id) + " for " +
                                 added.handler.event + " as " + added.handler.user + ": " +
                                 added.handler.command);
  return redirect("/handlers?done=" + url_encode("Added handler " + std::to_string(added.handler.id) +
                                                 " for " + added.handler.event + "." + warnings_text(added)));
}

Response edit_form(PageContext& context) {
  std::int64_t id = context.ids.at(0);
  auto db = manage::open_handlers(context.app.config(), manage::Access::read);
  std::optional<handlers::Handler> handler;
  if (db && *db) {
    handler = (*db)->store().get(id);
  }
  if (!handler) {
    return error_page(context, 404, "No handler with id " + std::to_string(id) + ".");
  }
  FormValues values = values_of(context.request.query, values_of(*handler));
  return form_page(context, "Handler " + std::to_string(id), "/handlers/" + std::to_string(id), values,
                   nullptr, 200);
}

Response update(PageContext& context) {
  std::int64_t id = context.ids.at(0);
  auto db = manage::open_handlers(context.app.config(), manage::Access::write);
  if (!db) {
    return error_page(context, 503, db.error().message);
  }
  auto stored = (*db)->store().get(id);
  if (!stored) {
    return error_page(context, 404, "No handler with id " + std::to_string(id) + ".");
  }
  FormValues values = values_of(context.request.form, values_of(*stored));
  if (context.request.form.value_or("action") == "test") {
    return test_page(context, "Handler " + std::to_string(id), "/handlers/" + std::to_string(id), values,
                     *stored);
  }
  manage::Edited updated = manage::update_handler(
      (*db)->store(), id, change_of(values), context.app.catalog(), context.app.config(), policy_of(values));
  if (updated.refusal == manage::Refusal::not_found) {
    return error_page(context, 404, "No handler with id " + std::to_string(id) + ".");
  }
  if (updated.refusal != manage::Refusal::none) {
    return form_page(context, "Handler " + std::to_string(id), "/handlers/" + std::to_string(id), values,
                     &updated, 422);
  }
  context.app.audit(context, "updated handler " + std::to_string(id) + " for " + updated.handler.event +
                                 " as " + updated.handler.user + ": " + updated.handler.command);
  return redirect("/handlers?done=" +
                  url_encode("Updated handler " + std::to_string(id) + "." + warnings_text(updated)));
}

} // namespace

void add_handler_form_pages(Router<PageHandler>& router) {
  router.add("GET", "/handlers/new", Access::viewer, new_form);
  router.add("POST", "/handlers/new", Access::admin, add);
  router.add("GET", "/handlers/{id}", Access::viewer, edit_form);
  router.add("POST", "/handlers/{id}", Access::admin, update);
}

} // namespace eventmgr::web
