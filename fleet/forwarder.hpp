// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace eventmgr::fleet {

// Publishes every journaled event after the durable cursor, in journal order, to the JetStream
// stream of config `forward`: subject `<prefix>.<host>.<event>` (dots in the host become '_'),
// header `Nats-Msg-Id: <host>:<seq>`, the journal's record as the body. It runs on a thread of
// its own with its own read-only connection to the journal, in batches, publishing async and
// moving the cursor only past events whose PubAck came back. It never writes the database:
// the cursor and the connection state go to the event loop through the hooks, which run
// there. While NATS is down the events wait in the journal; nothing is held in memory but
// one batch.
class Forwarder {
public:
  struct Hooks {
    // The stream acknowledged every event up to `cursor`.
    std::function<void(std::int64_t cursor)> acked;
    // The connection is `state` (connected, disconnected); `error`, when not empty, is new.
    std::function<void(const std::string& state, const std::string& error)> state_changed;
  };

  // `database`: the journal's path; `cursor`: the stored cursor; `loop`: where hooks run.
  Forwarder(ForwardConfig config, std::filesystem::path database, std::int64_t cursor,
            boost::asio::any_io_executor loop, Hooks hooks);
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  void start();
  // Wakes the thread to look for new events now (it also looks every 100 ms).
  void wake();
  // Ends the thread, waiting for the batch in flight (at most ~10 s); no hook runs after.
  void stop();
  // The cursor as acknowledged so far (for the final save after stop()).
  std::int64_t acked() const { return m_acked.load(); }

  // The subject of event `event` forwarded by `host` under `prefix`.
  static std::string subject(const std::string& prefix, const std::string& host, const std::string& event);

private:
  void run();
  void post_state(const std::string& state, const std::string& error);
  void wait(std::chrono::milliseconds timeout);

  ForwardConfig m_config;
  std::filesystem::path m_database;
  boost::asio::any_io_executor m_loop;
  Hooks m_hooks;
  std::atomic<std::int64_t> m_acked;
  std::string m_state;      // last reported, on the thread
  std::string m_last_error; // last reported, on the thread
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_woken = false;
  bool m_stopping = false;
  std::thread m_thread;
};

} // namespace eventmgr::fleet
