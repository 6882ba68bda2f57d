// SPDX-License-Identifier: MIT
#include "manage/handler_edit.hpp"

#include "common/text.hpp"
#include "handlers/shell_syntax.hpp"

namespace eventmgr::manage {

using handlers::Handler;

namespace {

enum class Purpose { add, update };

constexpr std::string_view k_default = "default";

void apply_retry(const HandlerChange& change, Handler& handler, std::vector<HandlerProblem>& problems) {
  if (change.retries) {
    if (*change.retries == k_default) {
      handler.retries.reset();
    } else if (auto retries = parse_retries(*change.retries)) {
      handler.retries = *retries;
    } else {
      problems.push_back({"retries", retries.error().message + ", or default"});
    }
  }
  if (change.retry_on) {
    if (*change.retry_on == k_default) {
      handler.retry_on.reset();
    } else if (auto retry_on = parse_retry_on(*change.retry_on)) {
      handler.retry_on = *retry_on;
    } else {
      problems.push_back({"retry_on", "invalid retry_on '" + escape_for_message(*change.retry_on) +
                                          "': use tempfail (exit 75, time-out, signal, not started), failure "
                                          "(any failure) or default"});
    }
  }
  if (change.retry_delays) {
    if (*change.retry_delays == k_default) {
      handler.retry_delays.reset();
    } else if (auto delays = parse_retry_delays(*change.retry_delays)) {
      handler.retry_delays = std::move(delays.value());
    } else {
      problems.push_back({"retry_delays", delays.error().message});
    }
  }
}

// Copies the given fields into `handler`; a value that does not parse goes to `problems`.
void apply(const HandlerChange& change, Handler& handler, std::vector<HandlerProblem>& problems) {
  if (change.event) {
    handler.event = *change.event;
  }
  if (change.command) {
    handler.command = *change.command;
  }
  if (change.priority) {
    if (auto priority = handlers::validate_priority(*change.priority)) {
      handler.priority = *priority;
    } else {
      problems.push_back({"priority", priority.error().message});
    }
  }
  if (change.user) {
    handler.user = *change.user;
  }
  if (change.params) {
    handler.params = *change.params;
  }
  if (change.timeout) {
    if (auto timeout = parse_timeout(*change.timeout)) {
      handler.timeout = *timeout;
    } else {
      problems.push_back({"timeout", invalid_timeout_message(*change.timeout)});
    }
  }
  if (change.stdin_mode) {
    if (auto mode = handlers::parse_stdin_mode(*change.stdin_mode)) {
      handler.stdin_mode = *mode;
    } else {
      problems.push_back({"stdin", "invalid stdin '" + *change.stdin_mode + "': use none or json"});
    }
  }
  if (change.secrets) {
    handler.secrets = *change.secrets;
  }
  if (change.description) {
    handler.description = *change.description;
  }
  if (change.enabled) {
    handler.enabled = *change.enabled;
  }
  apply_retry(change, handler, problems);
  if (change.condition) {
    handler.condition = *change.condition;
  }
  if (change.concurrency) {
    if (auto concurrency = parse_concurrency(*change.concurrency)) {
      handler.concurrency = *concurrency;
    } else {
      problems.push_back({"concurrency", invalid_concurrency_message(*change.concurrency)});
    }
  }
}

Edited vet(Handler handler, const HandlerChange& change, const events::Catalog& catalog, const Config& config,
           EditPolicy policy, Purpose purpose) {
  Edited out;
  apply(change, handler, out.problems);
  for (auto& problem : check_handler(handler, catalog, config)) {
    out.problems.push_back(std::move(problem));
  }
  out.handler = std::move(handler);
  if (!out.problems.empty()) {
    out.refusal = Refusal::invalid;
    return out;
  }
  if (change.command && policy.shell_words == ShellWords::refuse) {
    for (auto& problem : handlers::shell_syntax_problems(out.handler.command)) {
      out.problems.push_back({"command", std::move(problem)});
    }
    if (!out.problems.empty()) {
      out.refusal = Refusal::shell_syntax;
      return out;
    }
  }
  // Registration should not accept what can never start (what `eventmgr check` would report).
  if (purpose == Purpose::add || change.command || change.user || change.enabled.value_or(false)) {
    auto problems = reach_problems(out.handler, catalog);
    if (policy.unreachable == Unreachable::warn) {
      out.warnings = std::move(problems);
    } else if (!problems.empty()) {
      for (auto& problem : problems) {
        out.problems.push_back({"command", std::move(problem)});
      }
      out.refusal = Refusal::unreachable;
    }
  }
  return out;
}

} // namespace

bool HandlerChange::empty() const {
  return !event && !command && !priority && !user && !params && !timeout && !stdin_mode && !secrets &&
         !description && !enabled && !retries && !retry_on && !retry_delays && !condition && !concurrency;
}

Handler new_handler(const Config& config) {
  Handler fresh;
  fresh.user = config.default_user;
  fresh.timeout = config.default_timeout;
  return fresh;
}

Edited vet_change(Handler handler, const HandlerChange& change, const events::Catalog& catalog,
                  const Config& config, EditPolicy policy) {
  return vet(std::move(handler), change, catalog, config, policy, Purpose::update);
}

Edited add_handler(handlers::HandlerStore& store, const HandlerChange& change, const events::Catalog& catalog,
                   const Config& config, EditPolicy policy) {
  Edited out = vet(new_handler(config), change, catalog, config, policy, Purpose::add);
  if (out.refusal == Refusal::none) {
    out.handler.id = store.add(out.handler);
  }
  return out;
}

Edited update_handler(handlers::HandlerStore& store, std::int64_t id, const HandlerChange& change,
                      const events::Catalog& catalog, const Config& config, EditPolicy policy) {
  std::optional<Handler> current = store.get(id);
  if (!current) {
    Edited out;
    out.refusal = Refusal::not_found;
    return out;
  }
  Edited out = vet(std::move(*current), change, catalog, config, policy, Purpose::update);
  if (out.refusal == Refusal::none && !store.update(out.handler)) {
    out.refusal = Refusal::not_found;
  }
  return out;
}

} // namespace eventmgr::manage
