// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>

namespace eventmgr::cli {

// The directory of Plesk's `event_handler` and `plesk` wrapper: beside this `eventmgr` binary
// as installed (or built), else the configured install directory. CommandError (exit 1)
// naming both places when neither holds an executable event_handler.
std::filesystem::path compat_dir();

} // namespace eventmgr::cli
