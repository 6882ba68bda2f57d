// SPDX-License-Identifier: MIT
#include "fleet/nats_link.hpp"

namespace eventmgr::fleet {
namespace {

// With a callback, a connect that fails is retried in the background; without one, Connect
// itself would retry for ever. It needs no closure: users poll connected().
void on_connected(natsConnection*, void*) {}

} // namespace

std::string status_text(natsStatus status) {
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  std::string text = natsStatus_GetText(status);
  if (detail != nullptr && *detail != '\0' && last == status && text != detail) {
    text += std::string(": ") + detail;
  }
  return text;
}

Result<Connection> connect(const NatsEndpoint& endpoint, const std::string& name) {
  natsOptions* raw = nullptr;
  if (natsOptions_Create(&raw) != NATS_OK) {
    return make_error("cannot create NATS options: out of memory");
  }
  std::unique_ptr<natsOptions, void (*)(natsOptions*)> options(raw, natsOptions_Destroy);
  const std::string where = "NATS " + endpoint.url;
  auto check = [&](natsStatus status, const char* what) -> Result<void> {
    if (status != NATS_OK) {
      return make_error("cannot set up " + where + ": " + what + ": " + status_text(status));
    }
    return {};
  };
  Result<void> steps[] = {
      check(natsOptions_SetURL(options.get(), endpoint.url.c_str()), "url"),
      check(natsOptions_SetName(options.get(), name.c_str()), "name"),
      // Never give up: a host keeps forwarding after any outage, a central node keeps taking.
      check(natsOptions_SetMaxReconnect(options.get(), -1), "reconnects"),
      check(natsOptions_SetReconnectWait(options.get(), 250), "reconnect wait"),
      check(natsOptions_SetTimeout(options.get(), 2000), "connect timeout"),
      check(natsOptions_SetPingInterval(options.get(), 5000), "ping interval"),
      check(natsOptions_SetRetryOnFailedConnect(options.get(), true, on_connected, nullptr),
            "retry on failed connect"),
  };
  for (auto& step : steps) {
    if (!step) {
      return step.error();
    }
  }
  if (!endpoint.creds.empty()) {
    if (auto set = check(
            natsOptions_SetUserCredentialsFromFiles(options.get(), endpoint.creds.c_str(), nullptr), "creds");
        !set) {
      return set.error();
    }
  }
  if (!endpoint.tls_ca.empty()) {
    if (auto set = check(natsOptions_SetSecure(options.get(), true), "tls"); !set) {
      return set.error();
    }
    if (auto set =
            check(natsOptions_LoadCATrustedCertificates(options.get(), endpoint.tls_ca.c_str()), "tls_ca");
        !set) {
      return set.error();
    }
  }
  if (!endpoint.tls_cert.empty()) {
    if (auto set = check(natsOptions_LoadCertificatesChain(options.get(), endpoint.tls_cert.c_str(),
                                                           endpoint.tls_key.c_str()),
                         "tls_cert/tls_key");
        !set) {
      return set.error();
    }
  }
  natsConnection* connection = nullptr;
  natsStatus status = natsConnection_Connect(&connection, options.get());
  if (status != NATS_OK && status != NATS_NOT_YET_CONNECTED) {
    return make_error("cannot connect to " + where + ": " + status_text(status));
  }
  return Connection(connection);
}

bool connected(natsConnection* connection) {
  return connection != nullptr && natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED;
}

Result<JetStream> jet_stream(natsConnection* connection, jsOptions* options) {
  jsCtx* js = nullptr;
  natsStatus status = natsConnection_JetStream(&js, connection, options);
  if (status != NATS_OK) {
    return make_error("cannot open a JetStream context: " + status_text(status));
  }
  return JetStream(js);
}

} // namespace eventmgr::fleet
