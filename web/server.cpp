// SPDX-License-Identifier: MIT
#include "web/server.hpp"

#include "common/clock.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace eventmgr::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto k_io_deadline = std::chrono::seconds(30);
constexpr std::uint64_t k_body_limit = 256 * 1024;

Request to_request(const http::request<http::string_body>& in, const std::string& client, bool tls) {
  Request out;
  out.method = std::string(in.method_string());
  std::string_view target = in.target();
  std::size_t question = target.find('?');
  out.path = url_decode(target.substr(0, question), false);
  if (question != std::string_view::npos) {
    out.query = parse_params(target.substr(question + 1));
  }
  out.host = std::string(in[http::field::host]);
  out.origin = std::string(in[http::field::origin]);
  out.referer = std::string(in[http::field::referer]);
  out.cookie = std::string(in[http::field::cookie]);
  std::string_view type = in[http::field::content_type];
  if (out.method == "POST" && type.substr(0, type.find(';')) == "application/x-www-form-urlencoded") {
    out.form = parse_params(in.body());
  }
  out.client = client;
  out.tls = tls;
  return out;
}

http::response<http::string_body> to_response(Response&& in, unsigned version, bool keep_alive, bool head) {
  http::response<http::string_body> out{static_cast<http::status>(in.status), version};
  out.set(http::field::server, "eventmgr-web");
  out.set(http::field::content_type, in.content_type);
  for (auto& [name, value] : in.headers) {
    out.insert(name, value);
  }
  out.body() = head ? std::string() : std::move(in.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  if (head) {
    out.content_length(in.body.size());
  }
  return out;
}

// One connection over `Stream` (a tcp_stream, or an ssl_stream of one).
template <typename Stream> class Connection : public std::enable_shared_from_this<Connection<Stream>> {
public:
  Connection(Stream stream, App& app, std::string client, bool tls)
      : m_stream(std::move(stream)), m_app(app), m_client(std::move(client)), m_tls(tls) {}

  void start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      read();
    } else {
      beast::get_lowest_layer(m_stream).expires_after(k_io_deadline);
      m_stream.async_handshake(asio::ssl::stream_base::server,
                               [self = this->shared_from_this()](beast::error_code ec) {
                                 if (ec) {
                                   return; // a client that does not speak TLS, or gave up
                                 }
                                 self->read();
                               });
    }
  }

private:
  void read() {
    m_parser.emplace();
    m_parser->body_limit(k_body_limit);
    m_parser->header_limit(16 * 1024);
    beast::get_lowest_layer(m_stream).expires_after(k_io_deadline);
    http::async_read(
        m_stream, m_buffer, *m_parser,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream) {
      close();
      return;
    }
    if (ec) {
      if (ec == http::error::body_limit || ec == http::error::header_limit) {
        send(Response{413, "text/plain; charset=utf-8", "request too large\n", {}}, 11, false, false);
      }
      return;
    }
    auto request = m_parser->release();
    bool head = request.method() == http::verb::head;
    Request converted = to_request(request, m_client, m_tls);
    if (head) {
      converted.method = "GET";
    }
    auto started = std::chrono::steady_clock::now();
    Response response = m_app.handle(converted, now_ms());
    // The page's own time (bench.sh reads it), without the network and the client.
    std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
    char timing[64];
    std::snprintf(timing, sizeof timing, "app;dur=%.3f", took.count());
    response.set_header("Server-Timing", timing);
    send(std::move(response), request.version(), request.keep_alive(), head);
  }

  void send(Response&& response, unsigned version, bool keep_alive, bool head) {
    m_response = to_response(std::move(response), version, keep_alive, head);
    beast::get_lowest_layer(m_stream).expires_after(k_io_deadline);
    http::async_write(m_stream, *m_response,
                      [self = this->shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                        if (ec) {
                          return;
                        }
                        if (!keep_alive) {
                          self->close();
                          return;
                        }
                        self->read();
                      });
  }

  void close() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      beast::error_code ignored;
      m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    } else {
      beast::get_lowest_layer(m_stream).expires_after(k_io_deadline);
      m_stream.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    }
  }

  Stream m_stream;
  App& m_app;
  std::string m_client;
  bool m_tls;
  beast::flat_buffer m_buffer;
  std::optional<http::request_parser<http::string_body>> m_parser;
  std::optional<http::response<http::string_body>> m_response;
};

class Listener : public Server {
public:
  Listener(asio::io_context& io, App& app) : m_io(io), m_app(app), m_acceptor(io) {}

  Result<void> open(const ListenAddress& listen, const std::optional<TlsFiles>& tls) {
    std::string where = listen.address + ":" + std::to_string(listen.port);
    if (tls) {
      m_ssl.emplace(asio::ssl::context::tls_server);
      m_ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
      boost::system::error_code ec;
      m_ssl->use_certificate_chain_file(tls->cert.string(), ec);
      if (ec) {
        return make_error("cannot use web.tls_cert " + tls->cert.string() + ": " + ec.message());
      }
      m_ssl->use_private_key_file(tls->key.string(), asio::ssl::context::pem, ec);
      if (ec) {
        return make_error("cannot use web.tls_key " + tls->key.string() + ": " + ec.message());
      }
    }
    boost::system::error_code ec;
    tcp::endpoint endpoint(asio::ip::make_address(listen.address), listen.port);
    m_acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
      m_acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
      m_acceptor.bind(endpoint, ec);
    }
    if (!ec) {
      m_acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
      return make_error("cannot listen on " + where + ": " + ec.message());
    }
    accept();
    return {};
  }

  unsigned short port() const override { return m_acceptor.local_endpoint().port(); }

private:
  void accept() {
    m_acceptor.async_accept(asio::make_strand(m_io), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted) {
          std::cerr << "eventmgr-web: cannot accept a connection: " << ec.message() << "\n";
          accept();
        }
        return;
      }
      boost::system::error_code peer_ec;
      auto peer = socket.remote_endpoint(peer_ec);
      std::string client = peer_ec ? std::string("unknown") : peer.address().to_string();
      if (m_ssl) {
        std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(
            beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *m_ssl), m_app, client,
            true)
            ->start();
      } else {
        std::make_shared<Connection<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), m_app, client,
                                                        false)
            ->start();
      }
      accept();
    });
  }

  asio::io_context& m_io;
  App& m_app;
  tcp::acceptor m_acceptor;
  std::optional<asio::ssl::context> m_ssl;
};

} // namespace

Result<std::unique_ptr<Server>> Server::start(asio::io_context& io, App& app, const ListenAddress& listen,
                                              const std::optional<TlsFiles>& tls) {
  auto server = std::make_unique<Listener>(io, app);
  if (auto opened = server->open(listen, tls); !opened) {
    return opened.error();
  }
  return std::unique_ptr<Server>(std::move(server));
}

} // namespace eventmgr::web
