// SPDX-License-Identifier: MIT
#include "common/program_access.hpp"

#include "common/trusted_files.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace eventmgr {
namespace {

namespace fs = std::filesystem;

// Whether `user` may search (directories) or execute (files) what `st` describes.
bool may_execute(const struct stat& st, const UserInfo& user) {
  if (user.uid == 0) {
    // Root searches any directory, and executes a file with at least one x bit.
    return S_ISDIR(st.st_mode) || (st.st_mode & 0111) != 0;
  }
  if (st.st_uid == user.uid) {
    return (st.st_mode & S_IXUSR) != 0;
  }
  if (st.st_gid == user.gid || std::find(user.groups.begin(), user.groups.end(), st.st_gid) != user.groups.end()) {
    return (st.st_mode & S_IXGRP) != 0;
  }
  return (st.st_mode & S_IXOTH) != 0;
}

} // namespace

// Every directory the kernel searches to reach `program` (the path as written and, past
// symbolic links, the real one); then the program itself: a regular file `user` may execute.
// Returns every problem.
std::vector<std::string> program_problems(const std::string& program, const UserInfo& user) {
  std::vector<std::string> problems;
  struct stat st{};
  if (::stat(program.c_str(), &st) != 0) {
    problems.push_back("program " + program + ": " + std::strerror(errno));
    return problems;
  }
  std::vector<fs::path> directories;
  std::error_code ec;
  for (const fs::path& path : {fs::path(program), fs::canonical(program, ec)}) {
    fs::path prefix;
    for (auto part = path.begin(); !path.empty() && std::next(part) != path.end(); ++part) {
      prefix /= *part;
      if (std::find(directories.begin(), directories.end(), prefix) == directories.end()) {
        directories.push_back(prefix);
      }
    }
  }
  for (const auto& directory : directories) {
    struct stat dir{};
    if (::stat(directory.c_str(), &dir) == 0 && S_ISDIR(dir.st_mode) && !may_execute(dir, user)) {
      problems.push_back("directory " + directory.string() + " (mode " + mode_text(dir.st_mode) + ", uid " +
                         std::to_string(dir.st_uid) + ", gid " + std::to_string(dir.st_gid) +
                         ") is not searchable by user " + user.name + ", so program " + program + " cannot run");
    }
  }
  if (!S_ISREG(st.st_mode)) {
    problems.push_back("program " + program + " is not a regular file");
  } else if (!may_execute(st, user)) {
    problems.push_back("program " + program + " (mode " + mode_text(st.st_mode) + ", uid " +
                       std::to_string(st.st_uid) + ", gid " + std::to_string(st.st_gid) +
                       ") is not executable by user " + user.name);
  }
  return problems;
}

} // namespace eventmgr
