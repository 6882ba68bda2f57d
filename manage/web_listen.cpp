// SPDX-License-Identifier: MIT
#include "manage/web_listen.hpp"

#include "common/text.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>

namespace eventmgr::manage {

Result<ListenAddress> parse_listen(const std::string& text) {
  const std::string valid = "; valid: ADDRESS:PORT such as 127.0.0.1:8750, [::1]:8750 or 0.0.0.0:8443";
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 >= text.size()) {
    return make_error("web.listen '" + escape_for_message(text) + "' has no port" + valid);
  }
  std::string host = text.substr(0, colon);
  std::string port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(port_text) < 1 || std::stoi(port_text) > 65535) {
    return make_error("web.listen '" + escape_for_message(text) + "': port must be 1..65535" + valid);
  }
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  if (ec) {
    return make_error("web.listen '" + escape_for_message(text) + "': '" + escape_for_message(host) +
                      "' is not an IP address" + valid);
  }
  ListenAddress out;
  out.address = address.to_string();
  out.port = static_cast<std::uint16_t>(std::stoi(port_text));
  out.loopback = address.is_loopback();
  out.unspecified = address.is_unspecified();
  return out;
}

Result<std::string> web_login_url(const Config& config, const std::string& admin_token) {
  auto listen = parse_listen(config.web.listen);
  if (!listen) {
    return listen.error();
  }
  std::string host = listen->address;
  if (!config.web.host_names.empty()) {
    host = config.web.host_names.front();
  } else if (listen->unspecified) {
    host = host.find(':') != std::string::npos ? "::1" : "127.0.0.1";
  }
  if (host.find(':') != std::string::npos) {
    host = "[" + host + "]";
  }
  std::string scheme = config.web.tls_cert.empty() ? "http://" : "https://";
  // The token is hex: nothing in it needs escaping in a query.
  return scheme + host + ":" + std::to_string(listen->port) + "/login?token=" + admin_token;
}

} // namespace eventmgr::manage
