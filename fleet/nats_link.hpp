// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"

#include <nats/nats.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace eventmgr::fleet {

// Owners of nats.c objects.
struct ConnectionDeleter {
  void operator()(natsConnection* connection) const { natsConnection_Destroy(connection); }
};
struct JetStreamDeleter {
  void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
};
struct SubscriptionDeleter {
  void operator()(natsSubscription* subscription) const { natsSubscription_Destroy(subscription); }
};
using Connection = std::unique_ptr<natsConnection, ConnectionDeleter>;
using JetStream = std::unique_ptr<jsCtx, JetStreamDeleter>;
using Subscription = std::unique_ptr<natsSubscription, SubscriptionDeleter>;

// The text of `status` with the library's last error on this thread, e.g.
// "No server available for connection".
std::string status_text(natsStatus status);

// Connects to `endpoint` as client `name`, retrying for ever in the background: a server that
// is down at start is no error (the connection comes up when it does), and a lost connection
// is re-established with the same subscriptions. No callback with a closure: nats.c may run
// one after the connection is destroyed, so the users poll connected() instead.
Result<Connection> connect(const NatsEndpoint& endpoint, const std::string& name);

// True while `connection` is connected (not connecting, reconnecting or closed).
bool connected(natsConnection* connection);

// The JetStream context of `connection`, with `options` (may be null).
Result<JetStream> jet_stream(natsConnection* connection, jsOptions* options);

} // namespace eventmgr::fleet
