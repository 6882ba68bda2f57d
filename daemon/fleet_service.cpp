// SPDX-License-Identifier: MIT
#include "daemon/fleet_service.hpp"

#include "common/clock.hpp"
#include "common/text.hpp"
#include "events/journal.hpp"

namespace eventmgr::daemon {

FleetService::FleetService(const Config& config, sqlite::Database& db, Recorder& recorder,
                           boost::asio::any_io_executor loop, std::shared_ptr<spdlog::logger> log)
    : m_config(config), m_state(db), m_recorder(recorder), m_loop(std::move(loop)), m_log(std::move(log)) {}

FleetService::~FleetService() {
  stop();
}

void FleetService::save(const char* what, const std::function<void()>& write) {
  try {
    write();
    m_storage_failing = false;
  } catch (const sqlite::Failure& failure) {
    if (!m_storage_failing) { // once per outage, not once a batch
      m_log->error("forward: cannot store the {}: {}", what, failure.what());
    }
    m_storage_failing = true;
  }
}

void FleetService::start() {
  if (m_config.forward) {
    const ForwardConfig& forward = *m_config.forward;
    const std::int64_t cursor = m_state.forward().cursor;
    fleet::Forwarder::Hooks hooks;
    hooks.acked = [this](std::int64_t acked) {
      save("cursor", [&] { m_state.save_cursor(acked, now_ms()); });
    };
    hooks.state_changed = [this](const std::string& state, const std::string& error) {
      if (!error.empty()) {
        m_log->warn("forward: {}", escape_control(error));
      } else {
        m_log->info("forward: {}", state);
      }
      save("state", [&] { m_state.save_state(state, escape_control(error), now_ms()); });
    };
    m_forwarder =
        std::make_unique<fleet::Forwarder>(forward, m_config.database, cursor, m_loop, std::move(hooks));
    m_log->info("forward: to stream {} at {} as host {}, from event {}", forward.stream,
                escape_control(forward.nats.url), forward.host, cursor + 1);
    m_forwarder->start();
  }
  if (m_config.intake_nats) {
    const NatsIntakeConfig& intake = *m_config.intake_nats;
    fleet::NatsIntake::Hooks hooks;
    hooks.journal = [this](const std::vector<fleet::ForwardedRecord>& records) {
      if (!m_taking) {
        return false;
      }
      try {
        for (const fleet::ForwardedRecord& record : records) {
          std::optional<std::string> reason;
          if (record.host.empty()) {
            reason = "a message on " + record.subject + " without a Nats-Msg-Id header <host>:<seq>";
          } else if (record.host.size() > events::k_max_source || record.id.size() > events::k_max_id) {
            reason = "a message on " + record.subject + " whose Nats-Msg-Id is too long for a record id";
          } else {
            reason = m_recorder.try_add_forwarded(record.body, record.id, record.host, events::k_via_nats);
          }
          if (reason) {
            m_recorder.reject(record.body, "from " + record.subject + ": " + *reason, events::k_via_nats);
          }
        }
        m_recorder.commit();
        return true;
      } catch (const std::exception& e) {
        m_log->error("nats intake: cannot journal {} messages (they come again): {}", records.size(),
                     e.what());
        return false;
      }
    };
    hooks.state_changed = [this](const std::string& state, const std::string& error) {
      if (!error.empty()) {
        m_log->warn("nats intake: {}", escape_control(error));
      } else {
        m_log->info("nats intake: {}", state);
      }
    };
    m_intake = std::make_unique<fleet::NatsIntake>(intake, "eventmgr intake", m_loop, std::move(hooks));
    m_taking = true;
    m_log->info("nats intake: stream {} at {}, durable {}, filter {}", intake.stream,
                escape_control(intake.nats.url), intake.durable, intake.filter);
    m_intake->start();
  }
}

void FleetService::stop_intake() {
  m_taking = false;
}

void FleetService::stop() {
  m_taking = false;
  if (m_intake) {
    m_intake->stop();
    m_intake.reset();
  }
  if (m_forwarder) {
    m_forwarder->stop();
    const std::int64_t acked = m_forwarder->acked();
    save("cursor", [&] {
      m_state.save_cursor(acked, now_ms());
      m_state.save_state("stopped", "", now_ms());
    });
    m_forwarder.reset();
  }
}

void FleetService::journaled() {
  if (m_forwarder) {
    m_forwarder->wake();
  }
}

} // namespace eventmgr::daemon
