// SPDX-License-Identifier: MIT
#include "handlers/condition.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using eventmgr::events::Event;
using eventmgr::events::EventDef;
using eventmgr::events::ParamDef;
using eventmgr::handlers::Condition;

namespace {

EventDef domain_update() {
  EventDef def;
  def.name = "domain_update";
  def.key = "domain_name";
  def.params = {
      ParamDef{"domain_name", "Domain name", true, false},
      ParamDef{"status", "Status", false, false},
      ParamDef{"email", "E-mail", false, false},
  };
  return def;
}

Event make_event(std::string old_domain, std::string new_domain, std::string old_status,
                 std::string new_status, std::string new_email) {
  Event event;
  event.name = "domain_update";
  event.old_values = {{"domain_name", std::move(old_domain)}, {"status", std::move(old_status)}};
  event.new_values = {{"domain_name", std::move(new_domain)}, {"status", std::move(new_status)}};
  if (!new_email.empty()) {
    event.new_values["email"] = std::move(new_email); // left out when empty: absent counts as ""
  }
  return event;
}

struct Case {
  const char* text;
  bool expected;
};

} // namespace

TEST_SUITE_BEGIN("handlers::Condition");

TEST_CASE("each operator holds or not as written") {
  // old www.example.com -> new shop.example.com, status 0 -> 16, email given.
  const Event event = make_event("www.example.com", "shop.example.com", "0", "16", "a@example.com");
  const std::vector<Case> cases = {
      {R"(new.status == "16")", true},
      {R"(new.status == "0")", false},
      {R"("16" == new.status)", true},
      {R"(new.status != "16")", false},
      {R"(old.status != new.status)", true},
      {R"(old.status == new.status)", false},
      {R"(changed(status))", true},
      {R"(changed(email) )", true},
      {R"(new.domain_name =~ "\.example\.com$")", true},
      {R"(new.domain_name =~ "^shop\.")", true},
      {R"(new.domain_name =~ "^example")", false},
      {R"(new.domain_name =~ "example")", true},
      {R"(new.domain_name =~ "^www")", false},
      {R"(old.domain_name =~ "^www")", true},
      {R"(new.domain_name =~ "com$|^nothing")", true},
      {R"(empty(new.email))", false},
      {R"(empty(old.email))", true},
      {R"(new.status == "16" && empty(old.email))", true},
      {R"(new.status == "16" && empty(new.email))", false},
      {R"(new.status == "0" || empty(old.email))", true},
      {R"(new.status == "0" || empty(new.email))", false},
      {R"(!empty(new.email))", true},
      {R"(!!empty(new.email))", false},
      {R"(!(new.status == "16" && changed(status)))", false},
      {R"((new.status == "0" || new.status == "16") && changed(domain_name))", true},
      {R"(new.status == "0" || new.status == "16" && !changed(domain_name))", false},
      {R"(new.status=="16"&&old.status=="0")", true},
      {"\tnew.status == \"16\"\t", true},
  };
  for (const auto& item : cases) {
    CAPTURE(item.text);
    auto parsed = Condition::parse(item.text, domain_update());
    REQUIRE_MESSAGE(parsed, (parsed ? std::string() : parsed.error().message));
    CHECK(parsed->holds(event) == item.expected);
    CHECK(parsed->text() == item.text);
  }
}

TEST_CASE("strings take \\\" and \\\\ as escapes and keep any other backslash") {
  Event event = make_event("", "", "", "say \"hi\" \\ now", "");
  auto quoted = Condition::parse(R"(new.status == "say \"hi\" \\ now")", domain_update());
  REQUIRE(quoted);
  CHECK(quoted->holds(event));
  auto kept = Condition::parse(R"(new.status =~ "\\ n")", domain_update());
  REQUIRE(kept);
  CHECK(kept->holds(event)); // the regex \\ n: a backslash, a blank, n
  auto regex_escape = Condition::parse(R"(new.status =~ "\"hi\"")", domain_update());
  REQUIRE(regex_escape);
  CHECK(regex_escape->holds(event));
}

TEST_CASE("a value never changes what the condition means") {
  Event event = make_event("", "a\" || \"\" == \"", "", ".*", "");
  auto parsed = Condition::parse(R"(new.domain_name == "x" || new.status == "16")", domain_update());
  REQUIRE(parsed);
  CHECK_FALSE(parsed->holds(event));
  auto literal = Condition::parse(R"(new.status == ".*")", domain_update());
  REQUIRE(literal);
  CHECK(literal->holds(event));
}

TEST_CASE("regex matching stays linear on a long value") {
  // (a|aa)*$ backtracks exponentially in a backtracking engine on a string of a's ending in b.
  Event event = make_event("", std::string(60000, 'a') + "b", "", "", "");
  auto parsed = Condition::parse(R"(new.domain_name =~ "^(a|aa)*$")", domain_update());
  REQUIRE(parsed);
  CHECK_FALSE(parsed->holds(event));
  auto found = Condition::parse(R"(new.domain_name =~ "ab$")", domain_update());
  REQUIRE(found);
  CHECK(found->holds(event));
}

TEST_CASE("errors name the column and what is valid") {
  struct ErrorCase {
    std::string text;
    std::string message;
  };
  const std::vector<ErrorCase> cases = {
      {"", "condition is empty; write one such as new.status == \"16\""},
      {"   ", "condition is empty; write one such as new.status == \"16\""},
      {std::string(1025, ' '), "condition is 1025 bytes; the limit is 1024"},
      {"new.foo == \"1\"",
       "unknown parameter new.foo at column 1 for event domain_update; valid: new.domain_name, "
       "old.domain_name, new.status, old.status, new.email, old.email"},
      {"new.status == \"1\" && old.bar == new.baz",
       "unknown parameter old.bar at column 22 for event domain_update; valid: new.domain_name, "
       "old.domain_name, new.status, old.status, new.email, old.email\n"
       "unknown parameter new.baz at column 33 for event domain_update; valid: new.domain_name, "
       "old.domain_name, new.status, old.status, new.email, old.email"},
      {"changed(nope)",
       "unknown parameter nope at column 9 for event domain_update; valid: domain_name, status, email"},
      {"changed(new.status)",
       "condition expects a parameter's base name (changed(domain_name) compares old and new) at column 9, "
       "found 'new'"},
      {"empty(\"x\")", "condition expects new.NAME or old.NAME at column 7, found a string"},
      {"status == \"16\"",
       "condition has an unknown name 'status' at column 1; valid: new.NAME, old.NAME, a \"string\", "
       "changed(NAME), empty(new.NAME), ! or ("},
      {"new.status", "condition expects ==, != or =~ at column 11, found the end"},
      {"new.status = \"16\"", "condition has an unexpected character '=' at column 12; valid: &&, ||, !, ==, "
                              "!=, =~, (, ), names and "
                              "\"strings\""},
      {"new.status == \"16\" & changed(status)", "condition has an unexpected character '&' at column 20; "
                                                 "valid: &&, ||, !, ==, !=, =~, (, ), names and "
                                                 "\"strings\""},
      {"new.status == \"16", "condition has an unterminated string at column 15; add the closing \""},
      {"new.status == \"16\" changed(status)",
       "condition expects &&, || or the end at column 20, found 'changed'"},
      {"(new.status == \"16\"",
       "condition has an unclosed ( at column 1: expects &&, || or ) at column 20, found the end"},
      {"empty(new.email",
       "condition has an unclosed empty( at column 1: expects ) at column 16, found the end"},
      {"new.status == \"16\")", "condition expects &&, || or the end at column 19, found ')'"},
      {"new.status ==", "condition expects new.NAME, old.NAME or a \"string\" at column 14, found the end"},
      {"new status", "condition expects .NAME after new at column 5, found 'status'"},
      {"&& new.status == \"1\"", "condition expects new.NAME, old.NAME, a \"string\", changed(NAME), "
                                 "empty(new.NAME), ! or ( at column 1, "
                                 "found '&&'"},
      {"new.status =~ new.email",
       "condition expects a \"regular expression\" after =~ at column 15, found 'new'"},
      {"new.status =~ \"a)(b\"",
       "invalid regular expression at column 15: unbalanced ( ) or a repeat that follows nothing"},
      {"new.status =~ \"[ab\"", "invalid regular expression at column 15: unmatched ["},
      {"new.status =~ \"a{2,1}\"", "invalid regular expression at column 15: invalid {n,m} range"},
      {"new.status =~ \"*a\"",
       "invalid regular expression at column 15: unbalanced ( ) or a repeat that follows nothing"},
      {"new.status =~ \"(a)\\1\"",
       "regular expression at column 15 uses a back-reference (\\1); it is not supported"},
      {"new.status =~ \"a(?=b)\"",
       "regular expression at column 15 uses a lookahead ((?=); it is not supported"},
      {"new.status =~ \"" + std::string(257, 'a') + "\"",
       "regular expression at column 15 is 257 bytes; the limit is 256"},
      {"new.status =~ \"((a{100}){100})\"", "regular expression at column 15 is too complex (more than 2000 "
                                            "states); use fewer or smaller {n,m} repeats"},
      {"new.status =~ \"a{99999999999}\"", "regular expression at column 15 is too complex (more than 2000 "
                                           "states); use fewer or smaller {n,m} repeats"},
      {"new.status == \"1\"\n", "condition contains control character 0x0a at column 18; remove it"},
      {std::string(33, '(') + "new.status == \"1\"" + std::string(33, ')'),
       "condition nests deeper than 32 at column 34"},
      {std::string(40, '!') + "empty(new.status)", "condition nests deeper than 32 at column 33"},
  };
  for (const auto& item : cases) {
    CAPTURE(item.text);
    auto parsed = Condition::parse(item.text, domain_update());
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().message == item.message);
  }
}

TEST_CASE("a default condition always holds") {
  Condition none;
  CHECK(none.holds(make_event("", "", "", "", "")));
  CHECK(none.text().empty());
}

TEST_SUITE_END();
