// SPDX-License-Identifier: MIT
#include "handlers/secret_mask.hpp"

#include <algorithm>

namespace eventmgr::handlers {

SecretMask::SecretMask(const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.size() >= k_min_masked_secret &&
        std::find(m_secrets.begin(), m_secrets.end(), secret) == m_secrets.end()) {
      m_secrets.push_back(secret);
      m_first[static_cast<unsigned char>(secret.front())] = true;
      m_longest = std::max(m_longest, secret.size());
    }
  }
}

void SecretMask::feed(std::string_view piece, std::string& out) {
  if (m_secrets.empty()) {
    out.append(piece);
    return;
  }
  // `text` never views m_pending, which mask() reassigns.
  if (m_pending.empty()) {
    mask(piece, false, out);
    return;
  }
  m_joined.assign(m_pending);
  m_joined.append(piece);
  mask(m_joined, false, out);
}

void SecretMask::finish(std::string& out) {
  m_joined.swap(m_pending);
  mask(m_joined, true, out);
  m_pending.clear();
  m_covered = 0;
  m_hiding = false;
}

std::string SecretMask::masked(std::string_view text) {
  std::string out;
  feed(text, out);
  finish(out);
  return out;
}

void SecretMask::mask(std::string_view text, bool end, std::string& out) {
  // An occurrence starting at `at` is known once `at + m_longest` bytes are in; without the
  // end of the stream, the bytes from the first start not known yet wait.
  const std::size_t decided = end ? text.size() : text.size() - std::min(text.size(), m_longest - 1);
  std::size_t covered = m_covered; // end of the hidden bytes found so far, from text's start
  std::size_t shown_from = 0;      // start of the run of shown bytes not given out yet
  for (std::size_t at = 0; at < decided; ++at) {
    if (m_first[static_cast<unsigned char>(text[at])]) {
      for (const auto& secret : m_secrets) {
        if (text.compare(at, secret.size(), secret) == 0) {
          covered = std::max(covered, at + secret.size());
        }
      }
    }
    if (at < covered) {
      if (!m_hiding) {
        out.append(text.substr(shown_from, at - shown_from));
        out += "***";
        m_hiding = true;
      }
      shown_from = at + 1;
    } else {
      m_hiding = false;
    }
  }
  out.append(text.substr(shown_from, decided - shown_from));
  if (!end) {
    m_covered = covered > decided ? covered - decided : 0;
    m_pending.assign(text.substr(decided));
  }
}

} // namespace eventmgr::handlers
