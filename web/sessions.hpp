// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace eventmgr::web {

// Who a session belongs to: the admin changes things, a viewer sees everything and changes nothing.
enum class Role { admin, viewer };

std::string_view to_string(Role role);

struct Session {
  std::string id;   // the cookie's value: 256 random bits
  std::string csrf; // every POST of the session carries it
  Role role = Role::viewer;
  std::int64_t last_seen = 0; // unix ms
};

// Sessions in memory (a restart logs everyone out). Thread-safe.
class SessionStore {
public:
  static constexpr std::int64_t k_idle_limit_ms = 12 * 3'600'000;

  // A new session for `role` at `now` (unix ms).
  Session create(Role role, std::int64_t now);
  // The session with cookie value `id`, touched at `now`; nullopt when unknown, ended or idle
  // for more than 12 hours (then it is forgotten).
  std::optional<Session> find(const std::string& id, std::int64_t now);
  // Ends session `id` (logout).
  void end(const std::string& id);

private:
  std::mutex m_mutex;
  std::map<std::string, Session> m_sessions;
};

// Failed logins per client: at most five a minute, then 429 until the minute has passed.
class LoginThrottle {
public:
  static constexpr std::size_t k_max_failures = 5;
  static constexpr std::int64_t k_window_ms = 60'000;

  // True when `client` may try a login at `now`.
  bool allowed(const std::string& client, std::int64_t now);
  // Counts a failed login of `client` at `now`.
  void failed(const std::string& client, std::int64_t now);

private:
  void forget_old(std::deque<std::int64_t>& times, std::int64_t now);

  std::mutex m_mutex;
  std::map<std::string, std::deque<std::int64_t>> m_failures;
};

// True when `a` and `b` are equal, in time that depends on their lengths only.
bool same_secret(const std::string& a, const std::string& b);

} // namespace eventmgr::web
