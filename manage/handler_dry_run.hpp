// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"
#include "events/catalog.hpp"
#include "events/record.hpp"
#include "handlers/command_template.hpp"
#include "handlers/handler.hpp"

#include <optional>
#include <string>
#include <vector>

namespace eventmgr::manage {

// The event of a handler test: every parameter "", then each `new.KEY=V` / `old.KEY=V` of
// `values`. A create event keeps no old values and a delete event no new ones, as the daemon
// does; each value so dropped adds a line to `notes`. The error names the bad argument (never
// its value, which may be a secret).
Result<events::Event> make_test_event(const events::EventDef& def, const std::vector<std::string>& values,
                                      std::vector<std::string>& notes);

// The environment with non-empty secret values shown as *** (never in any front end's output).
std::vector<std::string> redact_environment(std::vector<std::string> env, const events::EventDef& def);

// What `handler` would get for `event`, as the daemon builds it, secrets shown as ***.
struct DryRun {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::optional<std::string> stdin_text; // with `stdin: json`
  std::vector<std::string> unreachable;  // why its user could not run the program (eventmgr check's words)
};

DryRun dry_run(const handlers::Handler& handler, const events::EventDef& def,
               const handlers::CommandTemplate& command, const events::Event& event);

} // namespace eventmgr::manage
