// SPDX-License-Identifier: MIT
#include "daemon/last_error.hpp"

#include "common/clock.hpp"
#include "common/text.hpp"

namespace eventmgr::daemon {

void LastErrorSink::sink_it_(const spdlog::details::log_msg& msg) {
  if (msg.level < spdlog::level::err) {
    return;
  }
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
  // Escaped here, whatever the call site did: `status` shows it on one line, and a message may
  // carry a file name or a value from outside.
  m_last = format_local_time(millis) + " " +
           escape_control(std::string_view(msg.payload.data(), msg.payload.size()));
  m_changed = true;
}

bool LastErrorSink::take_if_changed(std::string& out) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!m_changed) {
    return false;
  }
  m_changed = false;
  out = m_last;
  return true;
}

} // namespace eventmgr::daemon
