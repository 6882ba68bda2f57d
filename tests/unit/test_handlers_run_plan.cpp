// SPDX-License-Identifier: MIT
#include "handlers/run_plan.hpp"

#include "common/users.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using eventmgr::Config;
using eventmgr::events::Event;
using eventmgr::events::EventDef;
using eventmgr::events::EventKind;
using eventmgr::events::ParamDef;
using eventmgr::handlers::Handler;
using eventmgr::handlers::plan_run;
using Strings = std::vector<std::string>;

namespace {

EventDef user_update() {
  EventDef def;
  def.name = "user_update";
  def.kind = EventKind::update;
  def.key = "login_name";
  def.params = {
      ParamDef{"login_name", "Login name", true, false},
      ParamDef{"password", "Password", false, true},
      ParamDef{"pin", "PIN", false, true},
  };
  return def;
}

Strings planned_secrets(const Event& event, bool secrets) {
  Handler handler;
  handler.id = 3;
  handler.event = "user_update";
  handler.command = "/bin/true";
  handler.secrets = secrets;
  auto self = eventmgr::current_user();
  REQUIRE(self.ok());
  auto plan = plan_run(handler, user_update(), event, Config{}, &self.value());
  REQUIRE(plan.ok());
  return plan->spec.secrets;
}

} // namespace

TEST_SUITE_BEGIN("handlers::RunPlan");

TEST_CASE("the plan carries the event's secret values to mask in the run's output") {
  Event event;
  event.name = "user_update";
  event.old_values = {{"login_name", "jdoe"}, {"password", "old-pass"}};
  event.new_values = {{"login_name", "jdoe"}, {"password", "new\"pass\\"}, {"pin", ""}};
  // With the JSON-escaped form a `stdin: json` handler would echo; empty values left out.
  const Strings want = {"old-pass", "new\"pass\\", "new\\\"pass\\\\"};
  CHECK(planned_secrets(event, true) == want);
  // A handler without `secrets` never gets them from us, but has them masked all the same.
  CHECK(planned_secrets(event, false) == want);
}

TEST_CASE("an event without secret values costs the capture nothing") {
  Event event;
  event.name = "user_update";
  event.new_values = {{"login_name", "jdoe"}};
  CHECK(planned_secrets(event, true).empty());
}

TEST_CASE("extra values whose name says secret are secrets: masked, and in stdin JSON only with secrets") {
  Event event;
  event.name = "user_update";
  event.new_values = {{"login_name", "jdoe"}};
  event.extra = {{"NEW_FTP_PASSWORD", "hunter2"}, {"NEW_PLAN", "Gold"}};
  CHECK(planned_secrets(event, false) == Strings{"hunter2"});

  const std::string without = eventmgr::handlers::stdin_json(event, user_update(), false, false);
  CHECK(without.find(R"("extra":{"NEW_PLAN":"Gold"})") != std::string::npos);
  CHECK(without.find("hunter2") == std::string::npos);
  const std::string with = eventmgr::handlers::stdin_json(event, user_update(), true, false);
  CHECK(with.find(R"("extra":{"NEW_FTP_PASSWORD":"hunter2","NEW_PLAN":"Gold"})") != std::string::npos);
  const std::string shown = eventmgr::handlers::stdin_json(event, user_update(), true, true);
  CHECK(shown.find(R"("NEW_FTP_PASSWORD":"***")") != std::string::npos);
}

TEST_SUITE_END();
