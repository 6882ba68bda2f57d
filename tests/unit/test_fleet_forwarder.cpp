// SPDX-License-Identifier: MIT
#include "fleet/forwarder.hpp"

#include <doctest/doctest.h>

using eventmgr::fleet::Forwarder;

TEST_SUITE_BEGIN("fleet::Forwarder");

TEST_CASE("the subject is prefix, host and event; a host's dots become underscores") {
  CHECK(Forwarder::subject("eventmgr", "web1", "client_create") == "eventmgr.web1.client_create");
  CHECK(Forwarder::subject("acme.panel", "web1.example.com", "domain_delete") ==
        "acme.panel.web1_example_com.domain_delete");
}

TEST_SUITE_END();
