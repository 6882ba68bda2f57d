// SPDX-License-Identifier: MIT
#include "cli/compat_dir.hpp"

#include "cli/app.hpp"

#include <unistd.h>

namespace eventmgr::cli {
namespace fs = std::filesystem;

fs::path compat_dir() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> places;
  if (!ec) {
    places.push_back((self.parent_path() / EVENTMGR_COMPAT_REL).lexically_normal());
  }
  places.emplace_back(EVENTMGR_COMPAT_FULL_DIR);
  for (const fs::path& place : places) {
    const fs::path program = place / "event_handler";
    if (::access(program.c_str(), X_OK) == 0) {
      return place;
    }
  }
  std::string looked;
  for (const fs::path& place : places) {
    looked += (looked.empty() ? "" : " and ") + place.string();
  }
  throw CommandError{k_exit_failure, "cannot find Plesk's event_handler: none in " + looked +
                                         " (is eventmgr installed whole?)"};
}

} // namespace eventmgr::cli
