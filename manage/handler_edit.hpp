// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "events/catalog.hpp"
#include "handlers/handler.hpp"
#include "handlers/handler_store.hpp"
#include "manage/handler_check.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace eventmgr::manage {

// The fields a front end sets, as the user typed them (checked here); an unset field keeps the
// handler's value on update and takes add's default (the config's user and timeout) on add.
struct HandlerChange {
  std::optional<std::string> event;
  std::optional<std::string> command;
  std::optional<std::string> priority; // a number 0..1000000 or a preset name (lowest .. highest)
  std::optional<std::string> user;
  std::optional<std::vector<std::string>> params;
  std::optional<std::string> timeout;    // seconds as digits
  std::optional<std::string> stdin_mode; // none | json
  std::optional<bool> secrets;
  std::optional<std::string> description;
  std::optional<bool> enabled;
  // Retries of failed runs, each "default" to take the config's again.
  std::optional<std::string> retries;      // 0..100
  std::optional<std::string> retry_on;     // tempfail | failure
  std::optional<std::string> retry_delays; // "10s,1m,5m"
  std::optional<std::string> condition;   // `--if`; "" removes the condition
  std::optional<std::string> concurrency; // digits, 0 for no limit

  // True when no field is set.
  bool empty() const;
};

// Shell syntax in the command (`>>`, `|`, `$VAR`): refused, or taken as the plain arguments the
// program would get (no shell runs the command).
enum class ShellWords { refuse, literal };
// A program the handler's user cannot run: refused, or registered with a warning.
enum class Unreachable { refuse, warn };

struct EditPolicy {
  ShellWords shell_words = ShellWords::refuse;
  Unreachable unreachable = Unreachable::refuse;
};

// Why a change was not stored; `none` when it was (or may be).
enum class Refusal { none, not_found, invalid, shell_syntax, unreachable };

// The outcome of vetting (and of add/update): the handler as it is or would be stored, and when
// it is refused, the stage that refused it with every problem of that stage.
struct Edited {
  handlers::Handler handler;
  Refusal refusal = Refusal::none;
  std::vector<HandlerProblem> problems;
  std::vector<std::string> warnings; // unreachable program let through by Unreachable::warn
};

// A handler with add's defaults: the config's default user and timeout, enabled, priority 50.
handlers::Handler new_handler(const Config& config);

// Applies `change` to `handler` and checks the result as registration does, in order: every
// field (check_handler), then shell syntax in a changed command, then whether its user can run
// the program (on add, and on update when the command, user or enabled state changes).
Edited vet_change(handlers::Handler handler, const HandlerChange& change, const events::Catalog& catalog,
                  const Config& config, EditPolicy policy);

// Vets `change` on new_handler(`config`) and stores it when nothing refuses it (`handler.id` is then set).
Edited add_handler(handlers::HandlerStore& store, const HandlerChange& change, const events::Catalog& catalog,
                   const Config& config, EditPolicy policy);

// Vets `change` on handler `id` and stores it when nothing refuses it; `Refusal::not_found` when
// there is no handler `id`.
Edited update_handler(handlers::HandlerStore& store, std::int64_t id, const HandlerChange& change,
                      const events::Catalog& catalog, const Config& config, EditPolicy policy);

} // namespace eventmgr::manage
