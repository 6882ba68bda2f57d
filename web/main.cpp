// SPDX-License-Identifier: MIT
// eventmgr-web: the Event Manager page (docs/WEB.md).
#include "common/config.hpp"
#include "events/catalog.hpp"
#include "manage/web_tokens.hpp"
#include "web/app.hpp"
#include "web/listen.hpp"
#include "web/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <iostream>
#include <string_view>

namespace {

constexpr std::string_view k_usage = "usage: eventmgr-web [--config FILE] [--state-dir DIR]\n"
                                     "Serves the Event Manager page on web.listen (default 127.0.0.1:8750); "
                                     "eventmgr web url prints a login link.\n";

int fail(const std::string& message) {
  std::cerr << "eventmgr-web: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char** argv) {
  using namespace eventmgr;
  // 1. The command line: where the config and the state are.
  ConfigSources sources;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if ((arg == "--config" || arg == "--state-dir") && i + 1 < argc) {
      (arg == "--config" ? sources.config_file : sources.state_dir) = argv[++i];
    } else if (arg == "--help" || arg == "-h") {
      std::cout << k_usage;
      return 0;
    } else {
      std::cerr << "eventmgr-web: unknown argument '" << arg << "'\n" << k_usage;
      return 2;
    }
  }
  try {
    // 2. Config and catalog, as the CLI loads them.
    auto config = load_config(sources);
    if (!config) {
      return fail(config.error().message);
    }
    auto catalog = events::Catalog::load(config->catalog_dirs, config->catalogs);
    if (!catalog) {
      return fail("catalog problems:\n" + catalog.error().message);
    }
    // 3. Where to listen: anything but loopback only with TLS.
    auto listen = web::parse_listen(config->web.listen);
    if (!listen) {
      return fail(listen.error().message);
    }
    const auto& cert = config->web.tls_cert;
    const auto& key = config->web.tls_key;
    if (cert.empty() != key.empty()) {
      return fail(
          "web.tls_cert and web.tls_key go together: set both, or neither for plain HTTP on loopback");
    }
    std::optional<web::TlsFiles> tls;
    if (!cert.empty()) {
      tls = web::TlsFiles{cert, key};
    }
    if (!listen->loopback && !tls) {
      return fail(
          "refusing to listen on " + config->web.listen +
          " without TLS: the page registers commands that run as root; set web.tls_cert and web.tls_key, "
          "or listen on 127.0.0.1");
    }
    // 4. The login tokens, made on first start.
    if (!std::filesystem::is_directory(config->state_dir)) {
      return fail("no state dir " + config->state_dir.string() +
                  " (eventmgrd creates it at its first start)");
    }
    auto admin = manage::ensure_web_token(manage::web_admin_token_path(config->state_dir));
    auto viewer = manage::ensure_web_token(manage::web_viewer_token_path(config->state_dir));
    if (!admin || !viewer) {
      return fail(!admin ? admin.error().message : viewer.error().message);
    }
    // 5. Serve until SIGINT or SIGTERM.
    std::signal(SIGPIPE, SIG_IGN);
    boost::asio::io_context io;
    web::App app(*config, std::move(*catalog), web::Tokens{*admin, *viewer}, *listen);
    auto server = web::Server::start(io, app, *listen, tls);
    if (!server) {
      return fail(server.error().message);
    }
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
    std::cerr << "eventmgr-web: listening on " << (tls ? "https://" : "http://")
              << (listen->address.find(':') != std::string::npos ? "[" + listen->address + "]"
                                                                 : listen->address)
              << ":" << (*server)->port() << " (state dir " << config->state_dir.string() << ")\n";
    io.run();
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}
