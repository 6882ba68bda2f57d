// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/sqlite.hpp"
#include "daemon/recorder.hpp"
#include "events/fleet_state.hpp"
#include "fleet/forwarder.hpp"
#include "fleet/nats_intake.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <spdlog/logger.h>

#include <memory>

namespace eventmgr::daemon {

// The fleet in eventmgrd: the forwarder (config `forward`) and the NATS intake (config
// `intake.nats`), each on a thread of its own; what they report is logged and stored here, on
// the event loop, on the dispatch connection (the cursor, the state, the last error), and the
// intake's batches are journaled through the recorder like the pipe's. Without either config
// it does nothing.
class FleetService {
public:
  FleetService(const Config& config, sqlite::Database& db, Recorder& recorder,
               boost::asio::any_io_executor loop, std::shared_ptr<spdlog::logger> log);
  ~FleetService();
  FleetService(const FleetService&) = delete;
  FleetService& operator=(const FleetService&) = delete;

  // Starts what the config asks for. Throws sqlite::Failure (the stored cursor is unreadable).
  void start();
  // Stops taking from NATS (at SIGTERM); a batch not yet journaled is redelivered later.
  void stop_intake();
  // After the event loop: ends both threads and stores the forwarder's last cursor.
  void stop();
  // New events were journaled: the forwarder looks now rather than at its next poll.
  void journaled();

private:
  void save(const char* what, const std::function<void()>& write);

  const Config& m_config;
  events::FleetState m_state;
  Recorder& m_recorder;
  boost::asio::any_io_executor m_loop;
  std::shared_ptr<spdlog::logger> m_log;
  std::unique_ptr<fleet::Forwarder> m_forwarder;
  std::unique_ptr<fleet::NatsIntake> m_intake;
  bool m_taking = false;
  bool m_storage_failing = false;
};

} // namespace eventmgr::daemon
