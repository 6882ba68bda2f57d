// SPDX-License-Identifier: MIT
// `eventmgr web url`: a login link to eventmgr-web for the local admin.
#include "cli/app.hpp"
#include "cli/table.hpp"
#include "manage/web_listen.hpp"
#include "manage/web_tokens.hpp"

#include <boost/json.hpp>

#include <iostream>

namespace eventmgr::cli {
namespace {

int web_url(Context& context) {
  const Config& config = context.config();
  auto token = manage::read_web_token(manage::web_admin_token_path(config.state_dir));
  if (!token) {
    throw CommandError{k_exit_failure, token.error().message};
  }
  auto url = manage::web_login_url(config, *token);
  if (!url) {
    throw CommandError{k_exit_usage, url.error().message};
  }
  if (context.json) {
    std::cout << json_text(boost::json::object{{"url", *url}}) << "\n";
  } else {
    std::cout << *url << "\n";
  }
  return k_exit_ok;
}

} // namespace

void add_web_commands(CLI::App& app, Context& context) {
  auto* web = app.add_subcommand("web", "the Event Manager page (eventmgr-web)");
  web->require_subcommand(1);
  auto* url = web->add_subcommand(
      "url", "print a login link for the admin (it holds the admin token: keep it private)");
  set_action(url, [&context]() { return web_url(context); });
}

} // namespace eventmgr::cli
