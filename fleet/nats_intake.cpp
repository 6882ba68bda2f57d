// SPDX-License-Identifier: MIT
#include "fleet/nats_intake.hpp"

#include "fleet/nats_link.hpp"

#include <boost/asio/post.hpp>

#include <future>
#include <memory>

namespace eventmgr::fleet {
namespace {

constexpr int k_fetch_batch = 256;
constexpr std::int64_t k_fetch_wait_ms = 1000;
// Longer than a batch takes to journal on a loaded machine: a message is redelivered (to this
// daemon or another on the durable) only when its daemon is gone or stuck.
constexpr std::int64_t k_ack_wait_ns = 60'000'000'000;
constexpr std::int64_t k_retry_after_failure_ms = 1000;
constexpr auto k_retry = std::chrono::milliseconds(1000);

ForwardedRecord to_record(natsMsg* msg) {
  ForwardedRecord record;
  const char* id = nullptr;
  if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr) {
    record.id = id;
    const std::size_t colon = record.id.rfind(':');
    if (colon != std::string::npos && colon > 0) {
      record.host = record.id.substr(0, colon);
    }
  }
  record.subject = natsMsg_GetSubject(msg);
  const char* data = natsMsg_GetData(msg);
  if (data != nullptr) {
    record.body.assign(data, static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  }
  return record;
}

} // namespace

NatsIntake::NatsIntake(NatsIntakeConfig config, std::string client_name, boost::asio::any_io_executor loop,
                       Hooks hooks)
    : m_config(std::move(config)), m_client_name(std::move(client_name)), m_loop(std::move(loop)),
      m_hooks(std::move(hooks)) {}

NatsIntake::~NatsIntake() {
  stop();
}

void NatsIntake::start() {
  m_thread = std::thread([this] { run(); });
}

void NatsIntake::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

bool NatsIntake::stopping() {
  std::lock_guard lock(m_mutex);
  return m_stopping;
}

void NatsIntake::sleep(std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mutex);
  m_wake.wait_for(lock, timeout, [this] { return m_stopping; });
}

void NatsIntake::post_state(const std::string& state, const std::string& error) {
  if (state == m_state && (error.empty() || error == m_last_error)) {
    return;
  }
  m_state = state;
  if (!error.empty()) {
    m_last_error = error;
  }
  if (!stopping()) {
    boost::asio::post(m_loop, [hook = m_hooks.state_changed, state, error] { hook(state, error); });
  }
}

void NatsIntake::run() {
  auto connection = connect(m_config.nats, m_client_name);
  if (!connection) {
    post_state("stopped", connection.error().message);
    return;
  }
  auto js = jet_stream(connection->get(), nullptr);
  if (!js) {
    post_state("stopped", js.error().message);
    return;
  }
  const std::string where = "NATS " + m_config.nats.url;
  Subscription subscription;
  while (!stopping()) {
    if (!connected(connection->get())) {
      post_state("disconnected", "not connected to " + where + " (retrying)");
      sleep(std::chrono::milliseconds(200));
      continue;
    }
    jsErrCode code = static_cast<jsErrCode>(0);
    if (!subscription) {
      jsSubOptions options;
      jsSubOptions_Init(&options);
      options.Stream = m_config.stream.c_str();
      options.Config.AckPolicy = js_AckExplicit;
      options.Config.AckWait = k_ack_wait_ns;
      options.Config.DeliverPolicy = js_DeliverAll;
      natsSubscription* raw = nullptr;
      natsStatus status = js_PullSubscribe(&raw, js->get(), m_config.filter.c_str(), m_config.durable.c_str(),
                                           nullptr, &options, &code);
      if (status != NATS_OK) {
        post_state("disconnected", "cannot take from stream " + m_config.stream + " as durable " +
                                       m_config.durable + " (" + m_config.filter + ") on " + where + ": " +
                                       status_text(status) +
                                       (code == JSStreamNotFoundErr || status == NATS_NOT_FOUND
                                            ? " (no forwarder has created the stream yet)"
                                            : ""));
        sleep(k_retry);
        continue;
      }
      subscription.reset(raw);
    }

    natsMsgList list{};
    natsStatus status =
        natsSubscription_Fetch(&list, subscription.get(), k_fetch_batch, k_fetch_wait_ms, &code);
    if (status == NATS_TIMEOUT) {
      post_state("connected", "");
      continue;
    }
    if (status != NATS_OK) {
      post_state(connected(connection->get()) ? "connected" : "disconnected",
                 "cannot fetch from durable " + m_config.durable + ": " + status_text(status));
      if (status == NATS_INVALID_SUBSCRIPTION || status == NATS_CONNECTION_CLOSED ||
          code == JSConsumerNotFoundErr || status == NATS_NOT_FOUND) {
        subscription.reset(); // subscribe again (the consumer is created again if it went)
      }
      sleep(std::chrono::milliseconds(200));
      continue;
    }
    post_state("connected", "");
    std::vector<ForwardedRecord> records;
    records.reserve(static_cast<std::size_t>(list.Count));
    for (int i = 0; i < list.Count; ++i) {
      records.push_back(to_record(list.Msgs[i]));
    }
    // Journaled on the loop, with the pipe's and the pickup's batches; acked once committed.
    auto committed = std::make_shared<std::promise<bool>>();
    auto outcome = committed->get_future();
    boost::asio::post(m_loop, [hook = m_hooks.journal, committed, batch = std::move(records)] {
      committed->set_value(hook(batch));
    });
    bool journaled = false;
    bool decided = false;
    while (!decided) {
      if (outcome.wait_for(std::chrono::milliseconds(100)) == std::future_status::ready) {
        try {
          journaled = outcome.get();
        } catch (const std::future_error&) {
          journaled = false; // the loop ended before it ran the batch
        }
        decided = true;
      } else if (stopping()) {
        break; // the loop is ending: not acked, so redelivered
      }
    }
    if (decided) {
      for (int i = 0; i < list.Count; ++i) {
        if (journaled) {
          natsMsg_Ack(list.Msgs[i], nullptr);
        } else {
          natsMsg_NakWithDelay(list.Msgs[i], k_retry_after_failure_ms, nullptr);
        }
      }
    }
    natsMsgList_Destroy(&list);
  }
}

} // namespace eventmgr::fleet
