// SPDX-License-Identifier: MIT
#include "manage/handler_edit.hpp"

#include "events/database.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <string>

using eventmgr::manage::EditPolicy;
using eventmgr::manage::HandlerChange;
using eventmgr::manage::Refusal;
using eventmgr::manage::ShellWords;
using eventmgr::manage::Unreachable;
using eventmgr::testing::TempDir;

namespace {

struct Fixture {
  TempDir dir;
  eventmgr::sqlite::Database db = open();
  eventmgr::handlers::HandlerStore store{db};
  eventmgr::events::Catalog catalog = load_catalog();
  eventmgr::Config config;

  eventmgr::sqlite::Database open() {
    auto opened = eventmgr::events::open_database(dir.file("eventmgr.db"), eventmgr::events::OpenFor::cli);
    REQUIRE_MESSAGE(opened.ok(), opened.error().message);
    return std::move(opened).value();
  }
  static eventmgr::events::Catalog load_catalog() {
    auto loaded = eventmgr::events::Catalog::load({});
    REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
    return std::move(loaded).value();
  }
};

HandlerChange change_of(const std::string& event, const std::string& command) {
  HandlerChange change;
  change.event = event;
  change.command = command;
  change.user = "nobody";
  return change;
}

} // namespace

TEST_SUITE_BEGIN("manage::handler_edit");

TEST_CASE_FIXTURE(Fixture, "a valid handler is stored with add's defaults for the fields not given") {
  config.default_timeout = 42;
  auto added = eventmgr::manage::add_handler(store, change_of("client_create", "/bin/echo <new_login_name>"),
                                             catalog, config, EditPolicy{});
  REQUIRE(added.refusal == Refusal::none);
  REQUIRE(added.handler.id > 0);
  auto stored = store.get(added.handler.id);
  REQUIRE(stored.has_value());
  CHECK(stored->command == "/bin/echo <new_login_name>");
  CHECK(stored->timeout == 42);
  CHECK(stored->priority == 50);
}

TEST_CASE_FIXTURE(Fixture, "every invalid field is reported at once and nothing is stored") {
  HandlerChange change = change_of("client_create", "/bin/echo <new_no_such>");
  change.priority = "urgent";
  change.timeout = "0";
  auto added = eventmgr::manage::add_handler(store, change, catalog, config, EditPolicy{});
  CHECK(added.refusal == Refusal::invalid);
  REQUIRE(added.problems.size() == 3);
  CHECK(added.problems[0].field == "priority");
  CHECK(added.problems[1].field == "timeout");
  CHECK(added.problems[1].message == "invalid timeout '0': use a whole number of seconds 1..86400");
  CHECK(added.problems[2].field == "command");
  CHECK(store.list().empty());
}

TEST_CASE_FIXTURE(Fixture, "shell syntax is refused unless taken literally") {
  const HandlerChange change = change_of("client_create", "/bin/echo <new_login_name> >> /tmp/x.log");
  auto refused = eventmgr::manage::add_handler(store, change, catalog, config, EditPolicy{});
  CHECK(refused.refusal == Refusal::shell_syntax);
  CHECK(store.list().empty());
  auto literal = eventmgr::manage::add_handler(store, change, catalog, config,
                                               EditPolicy{ShellWords::literal, Unreachable::refuse});
  CHECK(literal.refusal == Refusal::none);
  CHECK(store.list().size() == 1);
}

TEST_CASE_FIXTURE(Fixture, "a program its user cannot run is refused, or stored with a warning") {
  const HandlerChange change = change_of("client_create", "/no/such/program <new_login_name>");
  auto refused = eventmgr::manage::add_handler(store, change, catalog, config, EditPolicy{});
  CHECK(refused.refusal == Refusal::unreachable);
  CHECK_FALSE(refused.problems.empty());
  auto warned = eventmgr::manage::add_handler(store, change, catalog, config,
                                              EditPolicy{ShellWords::refuse, Unreachable::warn});
  CHECK(warned.refusal == Refusal::none);
  CHECK_FALSE(warned.warnings.empty());
  CHECK(store.list().size() == 1);
}

TEST_CASE_FIXTURE(Fixture, "an update changes only the given fields, and a refused one changes nothing") {
  auto added = eventmgr::manage::add_handler(store, change_of("client_create", "/bin/echo <new_login_name>"),
                                             catalog, config, EditPolicy{});
  REQUIRE(added.refusal == Refusal::none);
  HandlerChange priority;
  priority.priority = "high";
  auto updated =
      eventmgr::manage::update_handler(store, added.handler.id, priority, catalog, config, EditPolicy{});
  CHECK(updated.refusal == Refusal::none);
  CHECK(store.get(added.handler.id)->priority == 75);
  CHECK(store.get(added.handler.id)->command == "/bin/echo <new_login_name>");

  HandlerChange bad;
  bad.command = "/bin/echo <new_no_such>";
  auto refused =
      eventmgr::manage::update_handler(store, added.handler.id, bad, catalog, config, EditPolicy{});
  CHECK(refused.refusal == Refusal::invalid);
  CHECK(store.get(added.handler.id)->command == "/bin/echo <new_login_name>");

  auto missing = eventmgr::manage::update_handler(store, 9999, priority, catalog, config, EditPolicy{});
  CHECK(missing.refusal == Refusal::not_found);
}

TEST_SUITE_END();
