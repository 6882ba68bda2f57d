// SPDX-License-Identifier: MIT
#include "web/sessions.hpp"

#include "manage/delivery.hpp"

namespace eventmgr::web {

std::string_view to_string(Role role) {
  return role == Role::admin ? "admin" : "viewer";
}

Session SessionStore::create(Role role, std::int64_t now) {
  Session session{manage::random_hex(32), manage::random_hex(32), role, now};
  std::lock_guard lock(m_mutex);
  // Expired sessions go when a new one comes, so the map stays as small as the live ones.
  std::erase_if(m_sessions,
                [now](const auto& item) { return now - item.second.last_seen > k_idle_limit_ms; });
  m_sessions[session.id] = session;
  return session;
}

std::optional<Session> SessionStore::find(const std::string& id, std::int64_t now) {
  if (id.empty()) {
    return std::nullopt;
  }
  std::lock_guard lock(m_mutex);
  auto found = m_sessions.find(id);
  if (found == m_sessions.end()) {
    return std::nullopt;
  }
  if (now - found->second.last_seen > k_idle_limit_ms) {
    m_sessions.erase(found);
    return std::nullopt;
  }
  found->second.last_seen = now;
  return found->second;
}

void SessionStore::end(const std::string& id) {
  std::lock_guard lock(m_mutex);
  m_sessions.erase(id);
}

void LoginThrottle::forget_old(std::deque<std::int64_t>& times, std::int64_t now) {
  while (!times.empty() && now - times.front() >= k_window_ms) {
    times.pop_front();
  }
}

bool LoginThrottle::allowed(const std::string& client, std::int64_t now) {
  std::lock_guard lock(m_mutex);
  auto found = m_failures.find(client);
  if (found == m_failures.end()) {
    return true;
  }
  forget_old(found->second, now);
  if (found->second.empty()) {
    m_failures.erase(found);
    return true;
  }
  return found->second.size() < k_max_failures;
}

void LoginThrottle::failed(const std::string& client, std::int64_t now) {
  std::lock_guard lock(m_mutex);
  auto& times = m_failures[client];
  forget_old(times, now);
  times.push_back(now);
}

bool same_secret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) {
    return false;
  }
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

} // namespace eventmgr::web
