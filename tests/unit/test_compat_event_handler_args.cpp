// SPDX-License-Identifier: MIT
#include "compat/event_handler_args.hpp"

#include <doctest/doctest.h>

using namespace eventmgr::compat;

namespace {

std::string error_of(const std::vector<std::string>& args) {
  auto parsed = parse_event_handler_args(args);
  REQUIRE_FALSE(parsed);
  return parsed.error().message;
}

} // namespace

TEST_SUITE_BEGIN("compat::parse_event_handler_args");

TEST_CASE("create takes its options in any order, each value the next word") {
  auto parsed = parse_event_handler_args({"--create", "-command", "bash -c /usr/local/bin/x.sh", "-priority",
                                          "10", "-user", "root", "-event", "domain_create"});
  REQUIRE(parsed);
  CHECK(parsed->command == Command::create);
  CHECK(parsed->event == "domain_create");
  CHECK(parsed->priority == "10");
  CHECK(parsed->user == "root");
  CHECK(parsed->handler_command == "bash -c /usr/local/bin/x.sh");
}

TEST_CASE("update and delete take the handler's Id first") {
  auto update = parse_event_handler_args({"--update", "7", "-priority", "20"});
  REQUIRE(update);
  CHECK(update->command == Command::update);
  CHECK(update->id == 7);
  CHECK(update->priority == "20");
  CHECK_FALSE(update->event.has_value());
  auto remove = parse_event_handler_args({"--delete", "5"});
  REQUIRE(remove);
  CHECK(remove->command == Command::remove);
  CHECK(remove->id == 5);
}

TEST_CASE("the listing commands and help take no arguments") {
  CHECK(parse_event_handler_args({"--list"})->command == Command::list);
  CHECK(parse_event_handler_args({"-l"})->command == Command::list);
  CHECK(parse_event_handler_args({"--list-events"})->command == Command::list_events);
  CHECK(parse_event_handler_args({"--list-users"})->command == Command::list_users);
  CHECK(parse_event_handler_args({"--help"})->command == Command::help);
  CHECK(error_of({"--list", "-event", "x"}) == "unexpected argument '-event': --list takes no arguments");
}

TEST_CASE("bad command lines are refused, naming what is valid") {
  CHECK(error_of({}) == "no command given");
  CHECK(error_of({"--remove", "1"}) ==
        "unknown command '--remove'; use --create, --update, --delete, --list, "
        "--list-events, --list-users or --help");
  CHECK(error_of({"--delete"}) == "--delete needs the handler's Id (event_handler --list shows it)");
  CHECK(error_of({"--delete", "0"}) ==
        "invalid handler Id '0': give the number shown as Id by event_handler --list");
  CHECK(error_of({"--delete", "5", "6"}) == "unexpected argument '6': --delete takes only the handler's Id");
  CHECK(error_of({"--create", "-event", "a", "--command", "/bin/true"}) ==
        "unknown option '--command'; use -event, -priority, -user or -command, each followed by its value");
  CHECK(error_of({"--create", "-event", "a", "-event", "b"}) == "option -event given twice");
  CHECK(error_of({"--create", "-event"}) == "option -event needs a value");
  CHECK(error_of({"--create", "-command", "/bin/true"}) ==
        "--create needs -event NAME (event_handler --list-events shows the names)");
  CHECK(error_of({"--create", "-event", "domain_create"}) == "--create needs -command \"COMMAND\"");
  CHECK(error_of({"--update", "3"}) == "--update needs at least one of -event, -priority, -user, -command");
}

TEST_SUITE_END();
