// SPDX-License-Identifier: MIT
#include "common/config.hpp"

#include <doctest/doctest.h>

#include <string>

using eventmgr::ConfigSources;
using eventmgr::parse_config;

namespace {

ConfigSources sources() {
  return ConfigSources{std::nullopt, std::filesystem::path("/tmp/em-state")};
}

} // namespace

TEST_SUITE_BEGIN("common::Config fleet");

TEST_CASE("forward and intake.nats take their defaults") {
  auto config = parse_config(
      "forward:\n  url: nats://n1:4222\n  host: web1\nintake:\n  nats:\n    url: nats://n1:4222\n", "c.yaml",
      sources());
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  REQUIRE(config->forward.has_value());
  CHECK(config->forward->nats.url == "nats://n1:4222");
  CHECK(config->forward->stream == "EVENTMGR");
  CHECK(config->forward->subject_prefix == "eventmgr");
  CHECK(config->forward->host == "web1");
  CHECK(config->forward->duplicate_window == 86400);
  REQUIRE(config->intake_nats.has_value());
  CHECK(config->intake_nats->stream == "EVENTMGR");
  CHECK(config->intake_nats->durable == "eventmgr-central");
  CHECK(config->intake_nats->filter == "eventmgr.>");
}

TEST_CASE("without forward or intake the daemon has no fleet") {
  auto config = parse_config("workers: 2\n", "c.yaml", sources());
  REQUIRE(config.ok());
  CHECK_FALSE(config->forward.has_value());
  CHECK_FALSE(config->intake_nats.has_value());
}

TEST_CASE("the intake's filter follows its subject prefix; creds resolve against the state dir") {
  auto config = parse_config(
      "intake:\n  nats:\n    url: nats://n1\n    subject_prefix: acme.events\n    creds: nats.creds\n",
      "c.yaml", sources());
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  CHECK(config->intake_nats->filter == "acme.events.>");
  CHECK(config->intake_nats->nats.creds == "/tmp/em-state/nats.creds");
}

TEST_CASE("bad fleet settings are all reported with their lines") {
  auto config = parse_config("forward:\n"
                             "  stream: two words\n"
                             "  subject_prefix: a.>\n"
                             "  host: 'web:1'\n"
                             "  tls_cert: c.pem\n"
                             "  color: blue\n"
                             "intake:\n"
                             "  kafka: {}\n"
                             "  nats:\n"
                             "    url: nats://n1\n"
                             "    filter: a..b\n",
                             "c.yaml", sources());
  REQUIRE_FALSE(config.ok());
  const std::string& message = config.error().message;
  CHECK(message.find(
            "c.yaml:2: forward.stream: 'two words' is not a stream name (letters, digits, '-', '_')") !=
        std::string::npos);
  CHECK(message.find("c.yaml:3: forward.subject_prefix: 'a.>' is not a subject") != std::string::npos);
  CHECK(message.find("c.yaml:4: forward.host: 'web:1' is not a host name") != std::string::npos);
  CHECK(
      message.find("c.yaml:6: forward: unknown setting 'color'; valid: url, stream, subject_prefix, host,") !=
      std::string::npos);
  CHECK(message.find("forward.url: required (nats://host:port)") != std::string::npos);
  CHECK(message.find("forward: tls_cert and tls_key go together") != std::string::npos);
  CHECK(message.find("c.yaml:8: intake: unknown intake 'kafka'; valid: nats") != std::string::npos);
  CHECK(message.find("c.yaml:11: intake.nats.filter: 'a..b' is not a subject filter") != std::string::npos);
}

TEST_SUITE_END();
