// SPDX-License-Identifier: MIT
#include "handlers/run_plan.hpp"

#include "common/clock.hpp"
#include "events/event_json.hpp"
#include "handlers/command_template.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <sys/resource.h>

namespace eventmgr::handlers {
namespace {

// The config's `rlimits` as the launcher applies them.
std::vector<std::pair<int, rlim_t>> launch_limits(const HandlerLimits& limits) {
  std::vector<std::pair<int, rlim_t>> out;
  if (limits.cpu_seconds) {
    out.emplace_back(RLIMIT_CPU, *limits.cpu_seconds);
  }
  if (limits.open_files) {
    out.emplace_back(RLIMIT_NOFILE, *limits.open_files);
  }
  if (limits.processes) {
    out.emplace_back(RLIMIT_NPROC, *limits.processes);
  }
  if (limits.address_space_mib) {
    out.emplace_back(RLIMIT_AS, *limits.address_space_mib << 20);
  }
  return out;
}

// The event's secret values, to be masked in the run's output: also for a handler without
// `secrets`, which never gets them from us but might find them elsewhere (a sibling handler's
// environment, the panel). Each value also in its JSON-escaped form where that differs, as a
// `stdin: json` handler that echoes its input prints it.
std::vector<std::string> secret_values(const events::EventDef& def, const events::Event& event) {
  std::vector<std::string> secrets;
  const auto add = [&secrets](const std::string& value) {
    if (value.empty()) {
      return;
    }
    secrets.push_back(value);
    std::string quoted = boost::json::serialize(boost::json::string(value));
    if (quoted.size() > value.size() + 2) {
      secrets.push_back(quoted.substr(1, quoted.size() - 2));
    }
  };
  for (const auto& param : def.params) {
    if (!param.secret) {
      continue;
    }
    for (const auto* values : {&event.old_values, &event.new_values}) {
      if (const auto found = values->find(param.name); found != values->end()) {
        add(found->second);
      }
    }
  }
  for (const auto& [key, value] : event.extra) {
    if (events::looks_secret(key)) {
      add(value);
    }
  }
  return secrets;
}

} // namespace

Result<RunPlan> plan_run(const Handler& handler, const events::EventDef& def, const events::Event& event,
                         const Config& config, const UserInfo* as, int attempt) {
  auto command = CommandTemplate::parse(handler, def);
  if (!command) {
    return make_error("invalid command: " + command.error().message);
  }
  return plan_run(*command, handler, def, event, config, as, attempt);
}

Result<RunPlan> plan_run(const CommandTemplate& command, const Handler& handler, const events::EventDef& def,
                         const events::Event& event, const Config& config, const UserInfo* as, int attempt) {
  RunPlan plan;
  plan.redacted_argv = command.render_redacted(event);
  UserInfo user;
  if (as != nullptr) {
    user = *as;
  } else {
    auto found = lookup_user(handler.user);
    if (!found) {
      return found.error();
    }
    user = std::move(found.value());
  }
  if (user.uid == 0 && !config.allow_root) {
    return make_error("handlers may not run as root (allow_root: false)");
  }
  LaunchSpec& spec = plan.spec;
  spec.argv = command.render(event);
  spec.env = build_environment(event, def, handler, user.name, user.home, user.shell, attempt);
  spec.cwd = user.home.empty() ? "/" : user.home;
  spec.user = std::move(user);
  if (handler.stdin_mode == StdinMode::json) {
    spec.stdin_data = stdin_json(event, def, handler.secrets, false);
  }
  spec.output_limit = config.output_limit;
  spec.timeout = std::chrono::seconds(handler.timeout);
  spec.kill_grace = std::chrono::seconds(config.kill_grace);
  spec.limits = launch_limits(config.rlimits);
  spec.secrets = secret_values(def, event);
  return plan;
}

RunOutcome not_started(std::string reason) {
  RunOutcome outcome;
  outcome.status = RunStatus::not_started;
  outcome.start_error = std::move(reason);
  outcome.started_ms = now_ms();
  outcome.finished_ms = outcome.started_ms;
  return outcome;
}

std::string stdin_json(events::Event event, const events::EventDef& def, bool secrets, bool redact) {
  events::fill_params(def, event); // handlers see every parameter, "" where not given
  for (const auto& param : def.params) {
    if (!param.secret) {
      continue;
    }
    for (auto* values : {&event.old_values, &event.new_values}) {
      if (!secrets) {
        values->erase(param.name);
      } else if (redact && !(*values)[param.name].empty()) {
        (*values)[param.name] = "***";
      }
    }
  }
  for (auto it = event.extra.begin(); it != event.extra.end();) {
    if (!events::looks_secret(it->first)) {
      ++it;
    } else if (!secrets) {
      it = event.extra.erase(it);
    } else {
      if (redact && !it->second.empty()) {
        it->second = "***";
      }
      ++it;
    }
  }
  return events::to_json(event) + "\n";
}

} // namespace eventmgr::handlers
