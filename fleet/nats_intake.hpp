// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace eventmgr::fleet {

// One message taken from the stream: the record, and who forwarded it.
struct ForwardedRecord {
  std::string id;   // its Nats-Msg-Id, `<host>:<seq>`; empty when the message had none
  std::string host; // the part of the id before its last ':'
  std::string subject;
  std::string body;
};

// Takes events from a durable pull consumer (config `intake.nats`) on a thread of its own:
// fetches a batch, hands it to the event loop to be journaled, and acks its messages only once
// `journal` says it committed them (else they come again after a second). At-least-once: a
// message whose ack is lost comes again, and the journal's record id dedupe makes it harmless.
class NatsIntake {
public:
  struct Hooks {
    // Journals `records` in one transaction; true when committed. Runs on the loop.
    std::function<bool(const std::vector<ForwardedRecord>& records)> journal;
    // The connection is `state` (connected, disconnected); `error`, when not empty, is new.
    std::function<void(const std::string& state, const std::string& error)> state_changed;
  };

  NatsIntake(NatsIntakeConfig config, std::string client_name, boost::asio::any_io_executor loop,
             Hooks hooks);
  ~NatsIntake();
  NatsIntake(const NatsIntake&) = delete;
  NatsIntake& operator=(const NatsIntake&) = delete;

  void start();
  // Ends the thread (within about a second); a batch not yet journaled is not acked.
  void stop();

private:
  void run();
  bool stopping();
  void post_state(const std::string& state, const std::string& error);
  void sleep(std::chrono::milliseconds timeout);

  NatsIntakeConfig m_config;
  std::string m_client_name;
  boost::asio::any_io_executor m_loop;
  Hooks m_hooks;
  std::string m_state;
  std::string m_last_error;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;
  std::thread m_thread;
};

} // namespace eventmgr::fleet
