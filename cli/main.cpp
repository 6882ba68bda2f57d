// SPDX-License-Identifier: MIT
// eventmgr: the administrator's tool. All the work is in the eventmgr_cli library.
#include "cli/app.hpp"

int main(int argc, char** argv) { return eventmgr::cli::run(argc, argv); }
