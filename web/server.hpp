// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"
#include "web/app.hpp"
#include "web/listen.hpp"

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <memory>

namespace eventmgr::web {

// TLS files: both set, or neither (plain HTTP, loopback only).
struct TlsFiles {
  std::filesystem::path cert;
  std::filesystem::path key;
};

// Accepts connections on `listen` and answers each request with `app` (HTTP/1.1 with
// keep-alive; TLS when `tls` is set). One thread: a request's page runs to its end before the
// next is read, so a slow client costs only its own connection (each read and write has a deadline).
class Server {
public:
  // Binds the listening socket; the error names the address and the cause (or the TLS file).
  static Result<std::unique_ptr<Server>> start(boost::asio::io_context& io, App& app,
                                               const ListenAddress& listen,
                                               const std::optional<TlsFiles>& tls);
  virtual ~Server() = default;
  // The port actually bound (for a listen port of 0 in tests).
  virtual unsigned short port() const = 0;
};

} // namespace eventmgr::web
