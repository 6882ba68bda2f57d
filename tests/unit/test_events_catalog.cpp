// SPDX-License-Identifier: MIT
#include "events/catalog.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using eventmgr::events::Catalog;
using eventmgr::events::EventDef;
using eventmgr::events::EventKind;
using eventmgr::events::Side;

namespace {

// The seed's table "Plesk Control Panel Events" (seeds/002_61662558faa4d89c.txt, lines
// ~1800-2210), stray spaces removed.
const std::vector<std::string> k_seed_events = {
    "admin_update",
    "service_stop",
    "service_start",
    "service_restart",
    "dl_user_update",
    "ip_address_create",
    "ip_address_update",
    "ip_address_delete",
    "session_preferences_update",
    "client_create",
    "client_update",
    "client_delete",
    "client_status_update",
    "client_guid",
    "client_limits_update",
    "client_limit_traffic_reached",
    "client_limit_size_reached",
    "client_permissions_update",
    "client_preferences_update",
    "client_ip_pool_update",
    "client_siteapp_added",
    "client_siteapp_removed",
    "dashboard_preset_create",
    "dashboard_preset_update",
    "dashboard_preset_delete",
    "domain_create",
    "domain_update",
    "domain_delete",
    "domain_status_update",
    "domain_guid",
    "domain_dns_update",
    "subdomain_create",
    "subdomain_update",
    "subdomain_delete",
    "domain_alias_create",
    "domain_alias_update",
    "domain_alias_delete",
    "domain_alias_dns_update",
    "admin_alias_create",
    "admin_alias_update",
    "admin_alias_delete",
    "domain_limits_update",
    "domain_limit_traffic_reached",
    "domain_limit_size_reached",
    "cp_user_login",
    "cp_user_logout",
    "mailname_create",
    "mailname_update",
    "mailname_delete",
    "maillist_create",
    "maillist_update",
    "maillist_delete",
    "phys_hosting_create",
    "phys_hosting_update",
    "phys_hosting_delete",
    "forwarding_create",
    "forwarding_update",
    "forwarding_delete",
    "webuser_create",
    "webuser_update",
    "webuser_delete",
    "siteapp_install",
    "siteapp_reconfigure",
    "siteapp_uninstall",
    "siteapppkg_install",
    "siteapppkg_uninstall",
    "license_update",
    "license_expired",
    "database_server_create",
    "database_server_update",
    "database_server_delete",
    "database_create",
    "database_delete",
    "database_user_create",
    "database_user_update",
    "database_user_delete",
    "remote_dns_status_update",
    "ftpuser_create",
    "ftpuser_update",
    "ftpuser_delete",
    "plesk_component_upgrade",
};

// The seed's catalog alone (schema/events.yaml).
const Catalog& builtin() {
  static const Catalog catalog = [] {
    auto loaded = Catalog::load({}, {"seed"});
    if (!loaded) {
      FAIL("built-in catalog does not load:\n" << loaded.error().message);
    }
    return std::move(loaded).value();
  }();
  return catalog;
}

std::string error_of(const eventmgr::Result<Catalog>& result) {
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

// A minimal valid event in the catalog format, for extra catalog files.
std::string event_yaml(const std::string& name) {
  return "  - name: " + name +
         "\n"
         "    description: An extension event\n"
         "    group: extension events\n"
         "    kind: other\n"
         "    key: job\n"
         "    params:\n"
         "      - {name: job, label: Job, required: true}\n";
}

} // namespace

TEST_SUITE_BEGIN("events::Catalog");

TEST_CASE("the built-in catalog holds exactly the 81 events of the seed's table") {
  const Catalog& catalog = builtin();
  REQUIRE(k_seed_events.size() == 81);
  CHECK(std::set<std::string>(k_seed_events.begin(), k_seed_events.end()).size() == 81);
  CHECK(catalog.events().size() == 81);
  for (const auto& name : k_seed_events) {
    CAPTURE(name);
    const EventDef* def = catalog.find(name);
    REQUIRE(def != nullptr);
    CHECK(def->name == name);
    CHECK(def->builtin);
    CHECK(def->origin.starts_with("schema/events.yaml:"));
  }
}

TEST_CASE("every built-in event is complete and consistent") {
  for (const auto& def : builtin().events()) {
    CAPTURE(def.name);
    CHECK_FALSE(def.description.empty());
    CHECK_FALSE(def.group.empty());
    REQUIRE_FALSE(def.params.empty());
    CHECK(def.find_param(def.key) != nullptr);
    for (const auto& param : def.params) {
      CAPTURE(param.name);
      CHECK_FALSE(param.label.empty());
      if (param.name.find("password") != std::string::npos) {
        CHECK(param.secret); // the catalog, schema/events.yaml: every password is secret
      }
    }
    if (def.name.ends_with("_create")) {
      CHECK(def.kind == EventKind::create);
    } else if (def.name.ends_with("_delete")) {
      CHECK(def.kind == EventKind::remove);
    } else if (def.name.ends_with("_update")) {
      CHECK(def.kind == EventKind::update);
    }
  }
}

TEST_CASE("client_create requires login_name and contact_name and keeps password secret") {
  const EventDef* def = builtin().find("client_create");
  REQUIRE(def != nullptr);
  CHECK(def->kind == EventKind::create);
  CHECK(def->key == "login_name");
  CHECK(def->group == "client events");
  REQUIRE(def->find_param("login_name") != nullptr);
  CHECK(def->find_param("login_name")->required);
  CHECK(def->find_param("login_name")->label == "Login Name");
  REQUIRE(def->find_param("contact_name") != nullptr);
  CHECK(def->find_param("contact_name")->required);
  REQUIRE(def->find_param("password") != nullptr);
  CHECK(def->find_param("password")->secret);
  CHECK_FALSE(def->find_param("password")->required);
  CHECK_FALSE(def->find_param("login_name")->secret);
}

TEST_CASE("subsections that split events give each event its own parameter list") {
  const EventDef* ip_delete = builtin().find("ip_address_delete");
  REQUIRE(ip_delete != nullptr);
  REQUIRE(ip_delete->params.size() == 1);
  CHECK(ip_delete->params[0].name == "ip_address");
  CHECK(ip_delete->kind == EventKind::remove);

  const EventDef* mail_create = builtin().find("mailname_create");
  const EventDef* mail_update = builtin().find("mailname_update");
  REQUIRE(mail_create != nullptr);
  REQUIRE(mail_update != nullptr);
  CHECK(mail_update->params.size() > mail_create->params.size());
}

TEST_CASE("event kinds convert to and from their catalog spelling") {
  CHECK(eventmgr::events::to_string(EventKind::create) == "create");
  CHECK(eventmgr::events::to_string(EventKind::update) == "update");
  CHECK(eventmgr::events::to_string(EventKind::remove) == "delete");
  CHECK(eventmgr::events::to_string(EventKind::other) == "other");
  CHECK(eventmgr::events::parse_event_kind("delete") == EventKind::remove);
  CHECK(eventmgr::events::parse_event_kind("other") == EventKind::other);
  CHECK_FALSE(eventmgr::events::parse_event_kind("remove").has_value());
  CHECK_FALSE(eventmgr::events::parse_event_kind("Create").has_value());
}

TEST_CASE("full parameter names resolve to a side and a base parameter") {
  const EventDef* def = builtin().find("client_create");
  REQUIRE(def != nullptr);
  const auto ref = def->resolve("new_login_name");
  REQUIRE(ref.has_value());
  CHECK(ref->side == Side::new_side);
  CHECK(ref->param->name == "login_name");
  const auto old_ref = def->resolve("old_password");
  REQUIRE(old_ref.has_value());
  CHECK(old_ref->side == Side::old_side);
  CHECK(old_ref->param->secret);
  CHECK_FALSE(def->resolve("login_name").has_value());
  CHECK_FALSE(def->resolve("new_bogus").has_value());
  CHECK_FALSE(def->resolve("new_").has_value());

  const auto names = def->full_names();
  REQUIRE(names.size() == def->params.size() * 2);
  CHECK(names[0] == "old_login_name");
  CHECK(names[1] == "new_login_name");
}

TEST_CASE("a small catalog loads from text with every field") {
  const auto loaded = Catalog::load_text(R"(events:
  - name: job_done
    description: A job finished
    group: job events
    kind: other
    key: job
    params:
      - {name: job, label: Job, required: true}
      - {name: token, label: Token, secret: yes}
)",
                                         "jobs.yaml");
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
  REQUIRE(loaded->events().size() == 1);
  const EventDef& def = loaded->events()[0];
  CHECK(def.name == "job_done");
  CHECK(def.description == "A job finished");
  CHECK(def.group == "job events");
  CHECK(def.kind == EventKind::other);
  CHECK(def.key == "job");
  CHECK(def.origin == "jobs.yaml:2");
  REQUIRE(def.params.size() == 2);
  CHECK(def.params[0].required);
  CHECK_FALSE(def.params[0].secret);
  CHECK(def.params[1].label == "Token");
  CHECK(def.params[1].secret);
  CHECK(loaded->find("job_done") == &def);
  CHECK(loaded->find("job") == nullptr);
}

TEST_CASE("a YAML syntax error is reported with its 1-based line") {
  const auto loaded = Catalog::load_text("events:\n  - name: a\n    description: [unclosed\n", "bad.yaml");
  const std::string error = error_of(loaded);
  CHECK(error.starts_with("bad.yaml:4: YAML syntax error: "));
  CHECK(error.find('\n') == std::string::npos);
}

TEST_CASE("every problem of a catalog file is reported at once, one per line") {
  const auto loaded = Catalog::load_text(R"(events:
  - name: client-create
    description: Bad name
    group: g
    kind: create
    key: login_name
    params:
      - {name: login_name, label: Login Name}
  - name: job_done
    description: A job finished
    kind: finished
    key: job
    colour: red
    params:
      - {name: job, label: Job}
      - {name: job, label: Job again}
      - {name: Job, label: Job}
      - {name: owner, label: Owner, required: maybe, shade: dark}
      - {label: Nameless}
  - name: job_done
    description: Again
    group: g
    kind: other
    key: owner_name
    params:
      - {name: owner, label: Owner}
  - name: no_params
    description: Nothing
    group: g
    kind: other
    key: x
  - just a string
)",
                                         "x.yaml");
  CHECK(error_of(loaded) ==
        "x.yaml:2: invalid event name 'client-create': use lowercase letters, digits and '_'\n"
        "x.yaml:9: missing field 'group' in event 'job_done'\n"
        "x.yaml:11: unknown kind 'finished' in event 'job_done'; valid kinds: create, update, "
        "delete, other\n"
        "x.yaml:13: unknown field 'colour' in event 'job_done'; valid: name, description, group, "
        "kind, key, params, verified\n"
        "x.yaml:16: duplicate parameter 'job' in event 'job_done'; first defined at line 15\n"
        "x.yaml:17: invalid parameter name 'Job' in event 'job_done': use lowercase letters, "
        "digits and '_'\n"
        "x.yaml:18: unknown field 'shade' in parameter 'owner' of event 'job_done'; valid: name, "
        "label, required, secret\n"
        "x.yaml:18: field 'required' of parameter 'owner' of event 'job_done' must be true or "
        "false\n"
        "x.yaml:19: missing field 'name' in parameter #5 of event 'job_done'\n"
        "x.yaml:20: duplicate event 'job_done'; first defined at x.yaml:9\n"
        "x.yaml:24: key 'owner_name' of event 'job_done' is not one of its parameters\n"
        "x.yaml:27: missing field 'params' in event 'no_params'\n"
        "x.yaml:32: event #5 must be a map with name, description, group, kind, key, params, verified");
}

TEST_CASE("an event without a key or with a field twice is reported") {
  CHECK(error_of(Catalog::load_text(R"(events:
  - name: job_done
    description: A job finished
    group: g
    kind: other
    kind: update
    params:
      - {name: job, label: Job, label: Again}
)",
                                    "k.yaml")) ==
        "k.yaml:2: missing field 'key' in event 'job_done'\n"
        "k.yaml:6: duplicate field 'kind' in event 'job_done'\n"
        "k.yaml:8: duplicate field 'label' in parameter 'job' of event 'job_done'");
}

TEST_CASE("a catalog must be a map with an events list") {
  SUBCASE("an empty document") {
    CHECK(error_of(Catalog::load_text("", "e.yaml")) == "e.yaml:1: expected a map with an 'events' list");
  }
  SUBCASE("a list at the top") {
    CHECK(error_of(Catalog::load_text("- a\n- b\n", "e.yaml")) ==
          "e.yaml:1: expected a map with an 'events' list");
  }
  SUBCASE("no events field, an unknown one") {
    CHECK(error_of(Catalog::load_text("version: 2\n", "e.yaml")) ==
          "e.yaml:1: unknown top-level field 'version'; valid: events\n"
          "e.yaml:1: missing top-level field 'events'");
  }
  SUBCASE("events is not a list") {
    CHECK(error_of(Catalog::load_text("events:\n  a: b\n", "e.yaml")) ==
          "e.yaml:2: 'events' must be a list of events");
  }
  SUBCASE("a field that must be a string is a list") {
    CHECK(error_of(Catalog::load_text(R"(events:
  - name: a
    description: [x, y]
    group: g
    kind: other
    key: p
    params: [{name: p, label: P}]
)",
                                      "e.yaml")) ==
          "e.yaml:3: field 'description' of event 'a' must be a string");
  }
}

TEST_CASE("an empty events list is a valid catalog") {
  const auto loaded = Catalog::load_text("events: []\n", "empty.yaml");
  REQUIRE(loaded.ok());
  CHECK(loaded->events().empty());
  CHECK(loaded->suggest("client_create").empty());
}

TEST_CASE("extra catalog files add events after the built-in ones, in file name order") {
  eventmgr::testing::TempDir dir;
  write_file(dir.file("20-b.yaml"), "events:\n" + event_yaml("ext_b_done"));
  write_file(dir.file("10-a.yaml"), "events:\n" + event_yaml("ext_a_done"));
  write_file(dir.file("notes.txt"), "not a catalog");
  write_file(dir.file(".hidden.yaml"), "garbage: [");
  write_file(dir.file("30-c.yaml.bak"), "garbage: [");

  const auto loaded = Catalog::load({dir.path(), dir.path() / "missing"}, {"seed"});
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
  REQUIRE(loaded->events().size() == 83);
  const EventDef& first = loaded->events()[81];
  const EventDef& second = loaded->events()[82];
  CHECK(first.name == "ext_a_done");
  CHECK_FALSE(first.builtin);
  CHECK(first.origin == dir.file("10-a.yaml") + ":2");
  CHECK(second.name == "ext_b_done");
  CHECK(loaded->find("client_create")->builtin);
}

TEST_CASE("an extra catalog may not redefine a built-in event") {
  eventmgr::testing::TempDir dir;
  write_file(dir.file("ext.yaml"), "events:\n" + event_yaml("ext_done") + event_yaml("client_create"));
  const std::string error = error_of(Catalog::load({dir.path()}));
  const std::string builtin_origin = builtin().find("client_create")->origin;
  CHECK(error == dir.file("ext.yaml") + ":9: event 'client_create' redefines the built-in event " +
                     "defined at " + builtin_origin + "; extra catalogs may only add events");
}

TEST_CASE("a duplicate event across extra catalogs names both origins") {
  eventmgr::testing::TempDir dir;
  write_file(dir.file("a.yaml"), "events:\n" + event_yaml("ext_done"));
  write_file(dir.file("b.yaml"), "# second\nevents:\n" + event_yaml("ext_done"));
  CHECK(error_of(Catalog::load({dir.path()})) ==
        dir.file("b.yaml") + ":3: duplicate event 'ext_done'; first defined at " + dir.file("a.yaml") + ":2");
}

TEST_CASE("problems in several extra files are all reported") {
  eventmgr::testing::TempDir dir;
  write_file(dir.file("a.yaml"), "events: [");
  write_file(dir.file("b.yaml"), "events:\n  - name: Bad\n");
  const std::string error = error_of(Catalog::load({dir.path()}));
  CHECK(error.starts_with(dir.file("a.yaml") + ":1: YAML syntax error: "));
  std::string b_line = "\n"; // appended: GCC 12's false -Wrestrict at -O2 on "literal" + string
  b_line += dir.file("b.yaml");
  b_line += ":2: invalid event name 'Bad'";
  CHECK(error.find(b_line) != std::string::npos);
}

TEST_CASE("a catalog dir that is a file is an error") {
  eventmgr::testing::TempDir dir;
  write_file(dir.file("plain"), "");
  CHECK(error_of(Catalog::load({dir.path() / "plain"})) ==
        dir.file("plain") + ": cannot read catalog dir: not a directory");
}

TEST_CASE("suggestions find the event a user probably meant") {
  const Catalog& catalog = builtin();
  SUBCASE("a missing letter") {
    const auto names = catalog.suggest("client_creat");
    REQUIRE_FALSE(names.empty());
    CHECK(names[0] == "client_create");
  }
  SUBCASE("swapped letters") {
    const auto names = catalog.suggest("domian_delete");
    REQUIRE_FALSE(names.empty());
    CHECK(names[0] == "domain_delete");
  }
  SUBCASE("a prefix lists the events it starts") {
    const auto names = catalog.suggest("database_user", 5);
    CHECK(names ==
          std::vector<std::string>{"database_user_create", "database_user_delete", "database_user_update"});
  }
  SUBCASE("a substring") {
    const auto names = catalog.suggest("siteapppkg");
    CHECK(names == std::vector<std::string>{"siteapppkg_install", "siteapppkg_uninstall"});
  }
  SUBCASE("the count limits the answer") {
    CHECK(catalog.suggest("client", 2).size() == 2);
    CHECK(catalog.suggest("client").size() == 3);
  }
  SUBCASE("nothing close") {
    CHECK(catalog.suggest("zzzzqqqq").empty());
    CHECK(catalog.suggest("").empty());
    CHECK(catalog.suggest(std::string(5000, 'x')).empty());
  }
}

TEST_CASE("catalog files and dirs others can write are refused, as the config is") {
  eventmgr::testing::TempDir dir;
  write_file(dir.file("ok.yaml"), "events:\n" + event_yaml("ext_ok_done"));
  SUBCASE("a file every user can write") {
    write_file(dir.file("open.yaml"), "events:\n" + event_yaml("ext_open_done"));
    REQUIRE(::chmod(dir.file("open.yaml").c_str(), 0666) == 0);
    CHECK(error_of(Catalog::load({dir.path()})) ==
          dir.file("open.yaml") +
              ": refusing catalog file: writable by other users (mode "
              "0666): chmod go-w " +
              dir.file("open.yaml"));
  }
  SUBCASE("a symbolic link, even to a sound file") {
    write_file(dir.file("elsewhere"), "events:\n" + event_yaml("ext_link_done"));
    REQUIRE(::symlink(dir.file("elsewhere").c_str(), dir.file("link.yaml").c_str()) == 0);
    CHECK(error_of(Catalog::load({dir.path()})) ==
          dir.file("link.yaml") + ": refusing catalog file: a symbolic link (to " + dir.file("elsewhere") +
              "); catalog files are read as regular files only: replace it with a copy of the file it points "
              "to");
  }
  SUBCASE("a FIFO is not read (and does not block)") {
    REQUIRE(::mkfifo(dir.file("fifo.yaml").c_str(), 0644) == 0);
    CHECK(error_of(Catalog::load({dir.path()})) ==
          dir.file("fifo.yaml") + ": refusing catalog file: not a regular file");
  }
  SUBCASE("a dir every user can write") {
    REQUIRE(::chmod(dir.path().c_str(), 0777) == 0);
    CHECK(error_of(Catalog::load({dir.path()})) ==
          dir.path().string() +
              ": refusing catalog dir: writable by other users (mode "
              "0777): chmod go-w " +
              dir.path().string());
  }
  SUBCASE("a file another user owns (as root only)") {
    if (::geteuid() != 0) {
      return;
    }
    write_file(dir.file("theirs.yaml"), "events:\n" + event_yaml("ext_theirs_done"));
    REQUIRE(::chmod(dir.file("theirs.yaml").c_str(), 0644) == 0);
    REQUIRE(::chown(dir.file("theirs.yaml").c_str(), 54321, 54321) == 0);
    const std::string error = error_of(Catalog::load({dir.path()}));
    CHECK(error.starts_with(dir.file("theirs.yaml") + ": refusing catalog file: owned by uid 54321"));
    CHECK(error.ends_with(", mode 0644; only root or the daemon's user may own it: chown root " +
                          dir.file("theirs.yaml")));
  }
}

TEST_CASE("two built-in catalogs merge: one entry per event, each parameter saying where it comes from") {
  const std::string first = R"(events:
  - name: job_done
    description: Job done
    group: job events
    kind: other
    key: job
    params:
      - {name: job, label: Job, required: true}
      - {name: owner, label: Owner}
)";
  const std::string second = R"(events:
  - name: job_done
    description: Job finished
    group: other group
    kind: create
    key: host
    verified: false
    params:
      - {name: job, label: Job name}
      - {name: host, label: Host, required: true}
      - {name: token, label: Token, secret: true}
  - name: job_lost
    description: Job lost
    group: job events
    kind: other
    key: ""
    verified: false
    params: []
)";
  const auto loaded = Catalog::load_texts({{"a", "a.yaml", first}, {"b", "b.yaml", second}});
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
  REQUIRE(loaded->events().size() == 2);

  const EventDef* done = loaded->find("job_done");
  REQUIRE(done != nullptr);
  // The first catalog's definition stands: records written against it stay valid.
  CHECK(done->description == "Job done");
  CHECK(done->group == "job events");
  CHECK(done->kind == EventKind::other);
  CHECK(done->key == "job");
  CHECK(done->verified);
  REQUIRE(done->sources.size() == 2);
  CHECK(done->sources[0].catalog == "a");
  CHECK(done->sources[0].origin == "a.yaml:2");
  CHECK(done->sources[0].verified);
  CHECK(done->sources[1].catalog == "b");
  CHECK(done->sources[1].description == "Job finished");
  CHECK(done->sources[1].origin == "b.yaml:2");
  CHECK_FALSE(done->sources[1].verified);

  REQUIRE(done->params.size() == 4);
  CHECK(done->params[0].name == "job");
  CHECK(done->params[0].label == "Job");
  CHECK(done->params[0].required);
  CHECK(done->param_source("job").catalogs == std::vector<std::string>{"a", "b"});
  CHECK(done->param_source("job").verified);
  CHECK(done->param_source("owner").catalogs == std::vector<std::string>{"a"});
  CHECK(done->params[2].name == "host");
  CHECK_FALSE(done->params[2].required); // a panel following catalog a never sends it
  CHECK(done->param_source("host").catalogs == std::vector<std::string>{"b"});
  CHECK_FALSE(done->param_source("host").verified);
  CHECK(done->params[3].name == "token");
  CHECK(done->params[3].secret);
  CHECK(done->resolve("new_host").has_value());

  const EventDef* lost = loaded->find("job_lost");
  REQUIRE(lost != nullptr);
  CHECK_FALSE(lost->verified);
  CHECK(lost->key.empty());
  CHECK(lost->params.empty());
  REQUIRE(lost->sources.size() == 1);
  CHECK(lost->sources[0].catalog == "b");
}

TEST_CASE("an event twice in one catalog is still a duplicate, also after a merge") {
  // Appended, not concatenated: GCC 12 at -O2 gives a false -Wrestrict on `"literal" + string`.
  std::string one = "events:\n";
  one += event_yaml("job_done");
  std::string two = one;
  two += event_yaml("job_done");
  CHECK(error_of(Catalog::load_texts({{"a", "a.yaml", one}, {"b", "b.yaml", two}})) ==
      "b.yaml:9: duplicate event 'job_done'; first defined at a.yaml:2");
}

TEST_CASE("'verified' must be a boolean and an empty key needs no parameter") {
  CHECK(error_of(Catalog::load_text(R"(events:
  - name: job_done
    description: Job done
    group: job events
    kind: other
    key: ""
    verified: maybe
    params: []
)",
                                    "v.yaml")) ==
        "v.yaml:7: field 'verified' of event 'job_done' must be true or false");
}

TEST_CASE("an unknown built-in catalog name is refused naming the valid ones") {
  CHECK(error_of(Catalog::load({}, {"seed", "plesk-onyx"})) ==
        "unknown built-in catalog 'plesk-onyx'; valid: seed, plesk-obsidian");
}

TEST_CASE("the default catalogs are the seed's events, then the modern Plesk events it lacks") {
  const auto loaded = Catalog::load({});
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
  const Catalog& both = *loaded;
  CHECK(both.events().size() > builtin().events().size());
  for (std::size_t i = 0; i < builtin().events().size(); ++i) {
    CHECK(both.events()[i].name == builtin().events()[i].name);
    CHECK(both.events()[i].sources.front().catalog == "seed");
  }

  // A seed event the modern catalog knows too: the seed's parameters, plus the modern ones.
  const EventDef* alias = both.find("domain_alias_create");
  REQUIRE(alias != nullptr);
  CHECK(alias->description == "Domain alias created");
  REQUIRE(alias->sources.size() == 2);
  CHECK(alias->sources[1].catalog == "plesk-obsidian");
  CHECK(alias->param_source("domain_alias_name").catalogs ==
        std::vector<std::string>{"seed", "plesk-obsidian"});
  REQUIRE(alias->find_param("domain_name") != nullptr);
  CHECK(alias->param_source("domain_name").catalogs == std::vector<std::string>{"plesk-obsidian"});
  CHECK_FALSE(alias->find_param("domain_name")->required);
  CHECK(builtin().find("domain_alias_create")->find_param("domain_name") == nullptr);

  // Modern-only events.
  const EventDef* site = both.find("site_create");
  REQUIRE(site != nullptr);
  CHECK(site->kind == EventKind::create);
  CHECK(site->key == "domain_name");
  CHECK(site->verified);
  REQUIRE(site->find_param("domain_name") != nullptr);
  CHECK(site->find_param("domain_name")->required);
  CHECK(builtin().find("site_create") == nullptr);
  const EventDef* guessed = both.find("site_dns_update");
  REQUIRE(guessed != nullptr);
  CHECK_FALSE(guessed->verified);
  for (const char* name : {"site_subdomain_move", "template_domain_create", "ssl_web_binding_update",
                           "ftpuser_create", "phys_hosting_update", "site_alias_delete"}) {
    CAPTURE(name);
    CHECK(both.find(name) != nullptr);
  }

  // Only the modern catalog.
  const auto modern = Catalog::load({}, {"plesk-obsidian"});
  REQUIRE_MESSAGE(modern.ok(), modern.error().message);
  CHECK(modern->find("dashboard_preset_create") == nullptr);
  REQUIRE(modern->find("domain_alias_create") != nullptr);
  CHECK(modern->find("domain_alias_create")->description == "Default domain, alias created");
}

TEST_CASE("every modern Plesk event is complete and consistent") {
  const auto loaded = Catalog::load({}, {"plesk-obsidian"});
  REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
  for (const auto& def : loaded->events()) {
    CAPTURE(def.name);
    CHECK_FALSE(def.description.empty());
    CHECK_FALSE(def.group.empty());
    CHECK(def.origin.starts_with("schema/catalogs/plesk-obsidian.yaml:"));
    // An event whose parameters are unknown names no key and is marked unverified.
    if (def.params.empty()) {
      CHECK(def.key.empty());
      CHECK_FALSE(def.verified);
    } else {
      CHECK(def.find_param(def.key) != nullptr);
    }
    for (const auto& param : def.params) {
      CAPTURE(param.name);
      CHECK_FALSE(param.label.empty());
      if (param.name.find("password") != std::string::npos) {
        CHECK(param.secret);
      }
    }
    if (def.name.ends_with("_create")) {
      CHECK(def.kind == EventKind::create);
    } else if (def.name.ends_with("_delete")) {
      CHECK(def.kind == EventKind::remove);
    } else if (def.name.ends_with("_update")) {
      CHECK(def.kind == EventKind::update);
    }
  }
}

TEST_SUITE_END();
