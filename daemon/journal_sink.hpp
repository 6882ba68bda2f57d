// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/fd.hpp"

#include <spdlog/details/null_mutex.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace eventmgr::daemon {

// Appends one field in the journal's native protocol to `out`: "NAME=value\n", or, when
// `value` holds a newline, "NAME\n", its length as a 64-bit little-endian number, the value
// and "\n". `name` is upper case letters, digits and underscores.
void append_journal_field(std::string& out, std::string_view name, std::string_view value);

// Whether stderr is the journal's stream: systemd sets JOURNAL_STREAM to "DEVICE:INODE" of
// the stream it connects a service's stderr to, and the inherited stderr still is that file.
bool stderr_is_journal();

// Whether the daemon logs to the journal: config `log_journal` yes, or auto and stderr is the
// journal's stream (then logging to stderr too would write every line twice).
bool wants_journal(const Config& config);

// A log sink that sends each message to journald over its native protocol (one datagram to
// `socket`, or a sealed memfd passed over it when too big for a datagram), with PRIORITY,
// SYSLOG_IDENTIFIER=eventmgrd, MESSAGE (escaped as in the log file, its own newlines kept),
// and the fields of ScopedLogFields. No libsystemd: the protocol is a documented, stable
// format, and the socket is all sd_journal_send uses. When journald cannot be reached the
// line goes to stderr instead. Single-threaded like the daemon's other console sink.
class JournalSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
  explicit JournalSink(const std::filesystem::path& socket);

protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override {}
  // The logger's line format (time, level) is not the journal's: it keeps its own.
  void set_formatter_(std::unique_ptr<spdlog::formatter> /*formatter*/) override {}

private:
  bool send(const std::string& entry);
  bool send_in_memfd(const std::string& entry);

  sockaddr_un m_address{};
  socklen_t m_address_size = 0;
  UniqueFd m_socket;
  std::unique_ptr<spdlog::formatter> m_message_format;
};

} // namespace eventmgr::daemon
