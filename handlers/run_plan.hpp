// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"
#include "events/catalog.hpp"
#include "events/event.hpp"
#include "handlers/command_template.hpp"
#include "handlers/handler.hpp"
#include "handlers/launcher.hpp"

#include <string>
#include <vector>

namespace eventmgr::handlers {

// One handler run, ready for the launcher: what it gets (docs/HANDLERS.md), the secret values its
// output is masked of (LaunchSpec::secrets), and what the run log keeps.
struct RunPlan {
  LaunchSpec spec;
  std::vector<std::string> redacted_argv; // secrets replaced by ***
};

// Renders `handler` for `event` as the daemon runs it: argv, environment, its user (looked
// up now), cwd, stdin, time-out and the config's output limit, kill grace and rlimits. The
// error says why it cannot start (invalid command, unknown user, root refused); `as` (when
// given) replaces the handler's user, for `eventmgr handler test --run` by a non-root caller.
// `attempt` (1, 2, ...) is the run's EVENTMGR_ATTEMPT.
Result<RunPlan> plan_run(const Handler& handler, const events::EventDef& def, const events::Event& event,
                         const Config& config, const UserInfo* as = nullptr, int attempt = 1);
// As above with the handler's command already parsed (CommandTemplate::parse of `handler`
// against `def`), which the daemon keeps per handler.
Result<RunPlan> plan_run(const CommandTemplate& command, const Handler& handler, const events::EventDef& def,
                         const events::Event& event, const Config& config, const UserInfo* as = nullptr,
                         int attempt = 1);

// The outcome of a run that could not start, for `reason`, finished now.
RunOutcome not_started(std::string reason);

// The stdin of a `stdin: json` handler: the event as one JSON line; secret values left out
// unless `secrets`, and shown as *** when `redact` (for display).
std::string stdin_json(events::Event event, const events::EventDef& def, bool secrets, bool redact);

} // namespace eventmgr::handlers
