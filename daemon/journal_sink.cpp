// SPDX-License-Identifier: MIT
#include "daemon/journal_sink.hpp"

#include "common/text.hpp"
#include "daemon/log_fields.hpp"
#include "daemon/log_format.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace eventmgr::daemon {
namespace {

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
  case spdlog::level::critical:
    return 2;
  case spdlog::level::err:
    return 3;
  case spdlog::level::warn:
    return 4;
  case spdlog::level::info:
    return 6;
  default:
    return 7;
  }
}

void append_number_field(std::string& out, std::string_view name, std::int64_t value) {
  if (value != 0) {
    append_journal_field(out, name, std::to_string(value));
  }
}

void append_text_field(std::string& out, std::string_view name, std::string_view value) {
  if (!value.empty()) {
    append_journal_field(out, name, escape_control(value));
  }
}

} // namespace

void append_journal_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  if (value.find('\n') == std::string_view::npos) {
    out += '=';
  } else {
    out += '\n';
    std::uint64_t size = value.size();
    for (int i = 0; i < 8; ++i) {
      out += static_cast<char>(size & 0xff);
      size >>= 8;
    }
  }
  out += value;
  out += '\n';
}

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) {
    return false;
  }
  unsigned long long device = 0;
  unsigned long long inode = 0;
  char end = 0;
  if (std::sscanf(stream, "%llu:%llu%c", &device, &inode, &end) != 2) {
    return false;
  }
  struct stat st {};
  return ::fstat(STDERR_FILENO, &st) == 0 && st.st_dev == device && st.st_ino == inode;
}

bool wants_journal(const Config& config) {
  return config.log_journal == "yes" || (config.log_journal == "auto" && stderr_is_journal());
}

JournalSink::JournalSink(const std::filesystem::path& socket)
    : m_socket(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)),
      m_message_format(make_journal_message_formatter()) {
  m_address.sun_family = AF_UNIX;
  const std::string path = socket.string();
  std::memcpy(m_address.sun_path, path.data(), std::min(path.size(), sizeof(m_address.sun_path) - 1));
  m_address_size =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + std::strlen(m_address.sun_path) + 1);
  if (m_socket) {
    // As journald's own client does: room for bursts before a send would block.
    int size = 8 << 20;
    ::setsockopt(m_socket.get(), SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
  }
}

void JournalSink::sink_it_(const spdlog::details::log_msg& message) {
  spdlog::memory_buf_t text;
  m_message_format->format(message, text);
  std::string entry;
  entry.reserve(text.size() + 160);
  append_journal_field(entry, "PRIORITY", std::to_string(syslog_priority(message.level)));
  append_journal_field(entry, "SYSLOG_IDENTIFIER", "eventmgrd");
  append_journal_field(entry, "MESSAGE", std::string_view(text.data(), text.size()));
  if (const LogFields* fields = ScopedLogFields::current()) {
    append_text_field(entry, "MESSAGE_ID", fields->message_id);
    append_text_field(entry, "EVENTMGR_EVENT", fields->event);
    append_number_field(entry, "EVENTMGR_EVENT_ID", fields->event_id);
    append_number_field(entry, "EVENTMGR_RUN_ID", fields->run_id);
    append_number_field(entry, "EVENTMGR_HANDLER_ID", fields->handler_id);
    append_text_field(entry, "EVENTMGR_VIA", fields->via);
    append_text_field(entry, "EVENTMGR_REASON", fields->reason);
  }
  if (!send(entry)) {
    // journald is gone (a restart) or refuses: the line must not be lost.
    std::string line = std::string(text.data(), text.size()) + '\n';
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
  }
}

bool JournalSink::send(const std::string& entry) {
  if (!m_socket) {
    return false;
  }
  ssize_t n = ::sendto(m_socket.get(), entry.data(), entry.size(), MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&m_address), m_address_size);
  if (n >= 0) {
    return true;
  }
  return (errno == EMSGSIZE || errno == ENOBUFS) && send_in_memfd(entry);
}

bool JournalSink::send_in_memfd(const std::string& entry) {
  // journald reads an entry too big for a datagram from a sealed memfd sent alone.
  UniqueFd memfd(::memfd_create("eventmgrd-journal", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!memfd) {
    return false;
  }
  for (std::size_t done = 0; done < entry.size();) {
    ssize_t n = ::write(memfd.get(), entry.data() + done, entry.size() - done);
    if (n <= 0) {
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fcntl(memfd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    return false;
  }
  msghdr header{};
  header.msg_name = &m_address;
  header.msg_namelen = m_address_size;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  header.msg_control = control;
  header.msg_controllen = sizeof(control);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  const int fd = memfd.get();
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  return ::sendmsg(m_socket.get(), &header, MSG_NOSIGNAL) >= 0;
}

} // namespace eventmgr::daemon
