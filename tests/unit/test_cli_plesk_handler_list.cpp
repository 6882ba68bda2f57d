// SPDX-License-Identifier: MIT
#include "cli/plesk_handler_list.hpp"

#include <doctest/doctest.h>

using namespace eventmgr::cli;

TEST_SUITE_BEGIN("cli::plesk_handler_list");

TEST_CASE("Plesk's --list is read block by block") {
  const auto found =
      parse_plesk_handler_list("   Id               2\n"
                               "   Name             SSL/TLS certificate on domain assigned/unassigned\n"
                               "   Priority         50\n"
                               "   User             root\n"
                               "   Command          /usr/local/psa/bin/extension --exec x reconcile.php\n"
                               "\n"
                               "   Id               5\n"
                               "   Name             Domain created\n"
                               "   Priority         0\n"
                               "   User             nobody\n"
                               "   Command          /usr/bin/eventmgr submit --from-env domain_create\n");
  REQUIRE(found.size() == 2);
  CHECK(found[0].id == 2);
  CHECK(found[0].name == "SSL/TLS certificate on domain assigned/unassigned");
  CHECK(found[0].priority == "50");
  CHECK(found[0].user == "root");
  CHECK(found[0].command == "/usr/local/psa/bin/extension --exec x reconcile.php");
  CHECK(found[1].id == 5);
  CHECK(found[1].command == "/usr/bin/eventmgr submit --from-env domain_create");
}

TEST_CASE("other padding, CRLF and stray lines are tolerated; a block without a numeric Id is skipped") {
  const auto found =
      parse_plesk_handler_list("Id 3\r\nCommand\t/bin/true\r\nExtra x\r\nId x\nCommand /bin/false\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].id == 3);
  CHECK(found[0].command == "/bin/true");
}

TEST_CASE("the bridge knows its own handlers by their command") {
  CHECK(bridged_event("/usr/bin/eventmgr submit --from-env site_create") == "site_create");
  CHECK(bridged_event("/usr/bin/eventmgr --state-dir /var/lib/x submit --from-env domain_create") ==
        "domain_create");
  CHECK(bridged_event("'/opt/my tools/eventmgr' submit --from-env 'a'") == "");
  CHECK(bridged_event("/opt/tools/eventmgr submit --from-env 'site_create'") == "site_create");
  CHECK(bridged_event("/usr/bin/not-eventmgr submit --from-env site_create") == "");
  CHECK(bridged_event("/usr/bin/eventmgr submit site_create") == "");
  CHECK(bridged_event("/bin/true") == "");
}

TEST_SUITE_END();
