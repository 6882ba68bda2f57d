// SPDX-License-Identifier: MIT
#include "handlers/secret_mask.hpp"

#include <algorithm>

namespace eventmgr::handlers {

SecretMask::SecretMask(const std::vector<std::string>& secrets) {
  (void)secrets;
}

void SecretMask::feed(std::string_view piece, std::string& out) {
  out.append(piece);
}

void SecretMask::finish(std::string& out) {
  (void)out;
}

std::string SecretMask::masked(std::string_view text) {
  std::string out;
  feed(text, out);
  finish(out);
  return out;
}

void SecretMask::mask(std::string_view text, bool end, std::string& out) {
  (void)text;
  (void)end;
  (void)out;
}

} // namespace eventmgr::handlers
