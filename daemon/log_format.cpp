// SPDX-License-Identifier: MIT
#include "daemon/log_format.hpp"

#include "common/text.hpp"

#include <spdlog/pattern_formatter.h>

#include <algorithm>
#include <string_view>

namespace eventmgr::daemon {
namespace {

// %* in the pattern: the escaped message.
class EscapedMessage final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*time*/,
              spdlog::memory_buf_t& dest) override {
    std::string_view rest(msg.payload.data(), msg.payload.size());
    // Most messages are plain ASCII: copied as they are, without a string per line.
    if (std::all_of(rest.begin(), rest.end(), [](char c) {
          const auto u = static_cast<unsigned char>(c);
          return u >= 0x20 && u < 0x7f;
        })) {
      dest.append(rest.data(), rest.data() + rest.size());
      return;
    }
    while (true) {
      const std::size_t end = rest.find('\n');
      const std::string shown = escape_control(rest.substr(0, end));
      dest.append(shown.data(), shown.data() + shown.size());
      if (end == std::string_view::npos) {
        break;
      }
      constexpr std::string_view k_continuation = "\n  ";
      dest.append(k_continuation.data(), k_continuation.data() + k_continuation.size());
      rest.remove_prefix(end + 1);
    }
  }

  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<EscapedMessage>();
  }
};

} // namespace

std::unique_ptr<spdlog::formatter> make_log_formatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<EscapedMessage>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e %l %*");
  return formatter;
}

std::unique_ptr<spdlog::formatter> make_journal_message_formatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::local, std::string());
  formatter->add_flag<EscapedMessage>('*').set_pattern("%*");
  return formatter;
}

} // namespace eventmgr::daemon
