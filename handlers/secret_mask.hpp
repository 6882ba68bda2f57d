// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::handlers {

// Secret values shorter than this are not masked: masking every "a" or "12" in a run's output
// would hide the output itself, and tell a reader where the short secret stood.
inline constexpr std::size_t k_min_masked_secret = 3;

// Masks a run's secret values in one of its output streams, read in pieces: every byte that
// belongs to an occurrence of any secret is hidden, and each run of hidden bytes becomes one
// "***" (overlapping and adjacent occurrences included). The result does not depend on where
// the stream was cut: up to longest-1 bytes are held back until the next piece or the end.
class SecretMask {
public:
  // Masks `secrets`; values shorter than k_min_masked_secret and repeats are dropped.
  explicit SecretMask(const std::vector<std::string>& secrets = {});

  // Whether there is nothing to mask: the stream can be stored as it is read.
  bool empty() const { return m_secrets.empty(); }
  // Appends to `out` the masked form of `piece`, the next bytes of the stream, as far as it is
  // decided; the rest waits for the next call or finish().
  void feed(std::string_view piece, std::string& out);
  // Appends the masked form of what is held back: the stream has ended. The mask is then
  // ready for another stream.
  void finish(std::string& out);

  // `text` masked as a whole.
  std::string masked(std::string_view text);

private:
  // Masks `text` (held-back bytes first) up to where it is decided (all of it when `end`),
  // appends to `out`, and keeps the rest in m_pending.
  void mask(std::string_view text, bool end, std::string& out);

  std::vector<std::string> m_secrets;
  std::array<bool, 256> m_first{}; // whether a secret starts with that byte
  std::size_t m_longest = 0;
  std::string m_pending;     // held back: the stream from its first undecided byte on
  std::size_t m_covered = 0; // how many bytes of m_pending a found occurrence covers
  bool m_hiding = false;     // the last byte given out was hidden ("***" is out already)
  std::string m_joined;      // m_pending and the new piece, reused from piece to piece
};

} // namespace eventmgr::handlers
