// SPDX-License-Identifier: MIT
#include "compat/plesk_list.hpp"

#include <doctest/doctest.h>

using namespace eventmgr::compat;

TEST_SUITE_BEGIN("compat::plesk_list");

TEST_CASE(
    "the handler list has Plesk's blocks: three spaces, labels padded to column 20, a blank line between") {
  const std::vector<ListedHandler> handlers{
      {2, "SSL/TLS certificate on domain assigned/unassigned", 50, "root", "/usr/local/bin/reconcile --all"},
      {15, "Domain created", 100000, "nobody", "/bin/echo <new_domain_name>"}};
  CHECK(format_handler_list(handlers) ==
        "   Id               2\n"
        "   Name             SSL/TLS certificate on domain assigned/unassigned\n"
        "   Priority         50\n"
        "   User             root\n"
        "   Command          /usr/local/bin/reconcile --all\n"
        "\n"
        "   Id               15\n"
        "   Name             Domain created\n"
        "   Priority         100000\n"
        "   User             nobody\n"
        "   Command          /bin/echo <new_domain_name>\n");
}

TEST_CASE("no handlers give no text") {
  CHECK(format_handler_list({}).empty());
}

TEST_CASE("a value cannot break the block layout") {
  const std::string text = format_handler_list({{1, "Title\n   Id               9", 0, "u", "/bin/x\rfoo"}});
  CHECK(text == "   Id               1\n"
                "   Name             Title\\x0a   Id               9\n"
                "   Priority         0\n"
                "   User             u\n"
                "   Command          /bin/x\\x0dfoo\n");
}

TEST_CASE("the event list pads names to the longest plus two spaces") {
  CHECK(format_event_list({{"site_create", "Site created"}, {"domain_create", "Domain created"}}) ==
        "site_create    Site created\n"
        "domain_create  Domain created\n");
}

TEST_SUITE_END();
