// SPDX-License-Identifier: MIT
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>

namespace eventmgr::daemon {

// A log sink that remembers the last error-or-worse message, for `eventmgr status`.
// The daemon copies it into the database from its event loop (never from inside logging).
class LastErrorSink : public spdlog::sinks::base_sink<std::mutex> {
public:
  // The last error line with its time, controls escaped (escape_control), and whether it
  // changed since the previous call.
  bool take_if_changed(std::string& out);

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

private:
  std::string m_last;
  bool m_changed = false;
};

} // namespace eventmgr::daemon
