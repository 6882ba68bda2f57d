// SPDX-License-Identifier: MIT
#include "handlers/handler_store.hpp"

#include "events/database.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using eventmgr::handlers::Handler;
using eventmgr::handlers::HandlerStore;
using eventmgr::handlers::StdinMode;
using eventmgr::testing::TempDir;

namespace {

Handler make_handler(const std::string& event, int priority, const std::string& command = "/bin/true") {
  Handler handler;
  handler.event = event;
  handler.priority = priority;
  handler.user = "nobody";
  handler.command = command;
  return handler;
}

std::vector<std::int64_t> ids_of(const std::vector<Handler>& handlers) {
  std::vector<std::int64_t> ids;
  for (const Handler& handler : handlers) {
    ids.push_back(handler.id);
  }
  return ids;
}

struct Fixture {
  TempDir dir;
  eventmgr::sqlite::Database db = open();
  HandlerStore store{db};

  eventmgr::sqlite::Database open() {
    auto opened = eventmgr::events::open_database(dir.file("eventmgr.db"), eventmgr::events::OpenFor::cli);
    REQUIRE_MESSAGE(opened.ok(), opened.error().message);
    return std::move(opened).value();
  }
};

} // namespace

TEST_SUITE_BEGIN("handlers::HandlerStore");

TEST_CASE_FIXTURE(Fixture, "a handler is stored and read back field by field") {
  Handler handler = make_handler("client_create", 75, "/opt/scripts/test-handler.sh %1 <new_login_name>");
  handler.params = {"new_contact_name"};
  handler.timeout = 30;
  handler.stdin_mode = StdinMode::json;
  handler.secrets = true;
  handler.description = "greets the new client";
  handler.id = 999; // ignored by add()

  const std::int64_t id = store.add(handler);
  CHECK(id != 999);
  auto stored = store.get(id);
  REQUIRE(stored);
  CHECK(stored->id == id);
  CHECK(stored->event == "client_create");
  CHECK(stored->priority == 75);
  CHECK(stored->user == "nobody");
  CHECK(stored->command == handler.command);
  CHECK(stored->params == std::vector<std::string>{"new_contact_name"});
  CHECK(stored->timeout == 30);
  CHECK(stored->enabled);
  CHECK(stored->stdin_mode == StdinMode::json);
  CHECK(stored->secrets);
  CHECK(stored->description == "greets the new client");
  CHECK(stored->created_at > 0);
  CHECK(stored->updated_at == stored->created_at);
  CHECK_FALSE(store.get(id + 1));
}

TEST_CASE_FIXTURE(Fixture, "update, enable, disable and remove report unknown ids") {
  const std::int64_t id = store.add(make_handler("domain_create", 50));
  Handler changed = *store.get(id);
  const std::int64_t created = changed.created_at;
  changed.command = "/bin/echo <new_domain_name>";
  changed.params = {"a", "b"};
  CHECK(store.update(changed));
  auto stored = store.get(id);
  REQUIRE(stored);
  CHECK(stored->command == "/bin/echo <new_domain_name>");
  CHECK(stored->params == std::vector<std::string>{"a", "b"});
  CHECK(stored->created_at == created);

  CHECK(store.set_enabled(id, false));
  CHECK_FALSE(store.get(id)->enabled);
  CHECK(store.set_enabled(id, true));
  CHECK(store.get(id)->enabled);

  changed.id = id + 100;
  CHECK_FALSE(store.update(changed));
  CHECK_FALSE(store.set_enabled(id + 100, false));
  CHECK(store.remove(id));
  CHECK_FALSE(store.remove(id));
  CHECK_FALSE(store.get(id));
}

TEST_CASE_FIXTURE(Fixture, "handlers run by priority descending, then id ascending, enabled only") {
  const std::int64_t normal_first = store.add(make_handler("client_create", 50));
  const std::int64_t high = store.add(make_handler("client_create", 75));
  const std::int64_t normal_second = store.add(make_handler("client_create", 50));
  const std::int64_t highest = store.add(make_handler("client_create", 100));
  Handler off = make_handler("client_create", 1000);
  off.enabled = false;
  const std::int64_t disabled = store.add(off);
  const std::int64_t other = store.add(make_handler("admin_update", 0));

  CHECK(ids_of(store.for_event("client_create")) ==
        std::vector<std::int64_t>{highest, high, normal_first, normal_second});
  CHECK(store.for_event("domain_delete").empty());
  CHECK(ids_of(store.list("client_create")) ==
        std::vector<std::int64_t>{disabled, highest, high, normal_first, normal_second});
  CHECK(ids_of(store.list()) ==
        std::vector<std::int64_t>{other, disabled, highest, high, normal_first, normal_second});
}

TEST_CASE_FIXTURE(Fixture, "replace_all keeps given ids and assigns new ones past them") {
  const std::int64_t old_id = store.add(make_handler("client_create", 50));

  Handler kept = make_handler("domain_create", 50, "/bin/kept");
  kept.id = old_id + 10;
  kept.created_at = 111;
  kept.updated_at = 222;
  Handler fresh = make_handler("domain_create", 50, "/bin/fresh");
  auto ids = store.replace_all({fresh, kept});
  REQUIRE_MESSAGE(ids.ok(), ids.error().message);
  REQUIRE(ids->size() == 2);
  CHECK((*ids)[1] == old_id + 10);
  CHECK((*ids)[0] > old_id + 10);

  CHECK_FALSE(store.get(old_id));
  auto restored = store.get(old_id + 10);
  REQUIRE(restored);
  CHECK(restored->command == "/bin/kept");
  CHECK(restored->created_at == 111);
  CHECK(restored->updated_at == 222);
  CHECK(store.get((*ids)[0])->command == "/bin/fresh");
  CHECK(store.list().size() == 2);
}

TEST_CASE_FIXTURE(Fixture, "replace_all changes nothing when it fails") {
  const std::int64_t a = store.add(make_handler("client_create", 50, "/bin/a"));
  const std::int64_t b = store.add(make_handler("client_create", 50, "/bin/b"));

  SUBCASE("an id given twice") {
    Handler one = make_handler("x", 1);
    one.id = 7;
    Handler two = make_handler("y", 2);
    two.id = 7;
    auto result = store.replace_all({one, two});
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message == "cannot replace handlers: id 7 appears twice");
  }
  SUBCASE("a storage failure half-way") {
    db.exec("CREATE TEMP TRIGGER refuse_boom BEFORE INSERT ON handlers WHEN NEW.event = 'boom'"
            " BEGIN SELECT RAISE(ABORT, 'boom refused'); END");
    CHECK_THROWS_AS((void)store.replace_all({make_handler("fine", 1), make_handler("boom", 1)}),
                    eventmgr::sqlite::Failure);
  }

  CHECK(ids_of(store.list()) == std::vector<std::int64_t>{a, b});
}

TEST_CASE_FIXTURE(Fixture, "add_all stores every handler under new ids") {
  Handler one = make_handler("client_create", 50, "/bin/one");
  one.id = 42;
  auto ids = store.add_all({one, make_handler("client_create", 50, "/bin/two")});
  REQUIRE(ids.size() == 2);
  CHECK(ids[0] != 42);
  CHECK(ids[1] > ids[0]);
  CHECK(store.get(ids[1])->command == "/bin/two");
}

TEST_SUITE_END();
