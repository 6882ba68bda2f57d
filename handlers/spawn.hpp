// SPDX-License-Identifier: MIT
#pragma once

// The raw child side of the Launcher: a clone(CLONE_VM) child that makes only system calls
// between clone and execve, so that starting a process costs the same whatever the daemon's
// size and whatever its other threads are doing. The parent waits for the exec with a
// deadline (not CLONE_VFORK, which waits for ever): a process of the handler's user may
// SIGSTOP the child once it has switched to that user.

#include <sys/types.h>

#include <sys/resource.h>

#include <cstddef>
#include <utility>
#include <vector>

namespace eventmgr::handlers::detail {

// Owns one file descriptor and closes it.
class OwnedFd {
public:
  OwnedFd() = default;
  explicit OwnedFd(int fd) : m_fd(fd) {}
  OwnedFd(OwnedFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  OwnedFd& operator=(OwnedFd&& other) noexcept;
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  ~OwnedFd();

  int get() const { return m_fd; }
  // Gives up ownership, e.g. to an Asio descriptor.
  int release() { return std::exchange(m_fd, -1); }

private:
  int m_fd = -1;
};

struct Pipe {
  OwnedFd read;
  OwnedFd write;
};

// A close-on-exec pipe whose ends are both >= 3, so that the child's dup onto 0..2 never
// overwrites one of them (a daemon started with 0..2 closed would get pipes there).
// Returns false with errno set on failure.
bool make_pipe(Pipe& pipe);
// Opens /dev/null read-only, close-on-exec, as a descriptor >= 3; -1 with errno on failure.
OwnedFd open_null();

// Everything the child does, prepared by the parent: the child may not allocate, take a lock
// or call a libc wrapper that does (libc's setuid family signals the other threads).
struct SpawnPlan {
  const char* path = nullptr;  // absolute program path
  char* const* argv = nullptr; // null-terminated
  char* const* envp = nullptr; // null-terminated
  const char* cwd = "/";       // tried after the user switch; "/" if it fails
  mode_t umask = 022;
  bool switch_user = false; // needs root: setgroups, setresgid, setresuid
  uid_t uid = 0;
  gid_t gid = 0;
  const gid_t* groups = nullptr;
  std::size_t group_count = 0;
  const int* limit_resources = nullptr; // RLIMIT_* of each limit, applied before the user switch
  const rlimit* limit_values = nullptr;
  std::size_t limit_count = 0;
  // The signals whose disposition the child resets to the default (a handler would run in the
  // child between the unblock and the exec; an ignored signal stays ignored across exec);
  // null: every signal.
  const int* reset_signals = nullptr;
  std::size_t reset_count = 0;
  int stdin_fd = -1; // each >= 3; dup'ed onto 0, 1, 2
  int stdout_fd = -1;
  int stderr_fd = -1;
  // A cgroup v2 directory the child is created in (clone3 CLONE_INTO_CGROUP); -1: the
  // daemon's own cgroup.
  int cgroup_fd = -1;
  // How long the child may take from its creation to its exec; a child still short of its
  // exec then (stopped) is killed, reaped and reported as SpawnStep::held.
  int exec_deadline_ms = 2000;
};

// The step that failed; `prepare` is the parent's side (stack, clone).
// `held`: the child did not reach its exec within the plan's deadline and was killed.
enum class SpawnStep : int {
  none,
  prepare,
  session,
  stdio,
  descriptors,
  limits,
  groups,
  gid,
  uid,
  cwd,
  exec,
  held
};

struct SpawnResult {
  pid_t pid = -1;                     // > 0: the child runs the program
  int pidfd = -1;                     // with pid: a close-on-exec pidfd of the child (the caller closes it)
  SpawnStep failed = SpawnStep::none; // otherwise the step that failed (the child is reaped)
  int error = 0;                      // and its errno
};

// The signals a child must reset before its exec (SpawnPlan::reset_signals): those whose
// disposition is not the default now (read with the kernel's rt_sigaction, so glibc's own
// handlers count), and always the ones a daemon commonly handles or ignores (HUP, INT, QUIT,
// USR1, USR2, PIPE, ALRM, TERM, CHLD and glibc's two internal signals).
std::vector<int> signals_to_reset_now();

// Starts `plan` in a new session and process group (in `plan.cgroup_fd` if given), with
// default signal dispositions, an empty signal mask and no descriptor but 0, 1, 2; the child
// closes every other descriptor before it switches users, so a stopped child holds none of
// the daemon's (the state-dir lock). Returns once the child has exec'd, failed, or was
// killed at the exec deadline. The pidfd comes from clone itself (CLONE_PIDFD), else from
// pidfd_open; -1 if neither works.
SpawnResult spawn(const SpawnPlan& plan);

} // namespace eventmgr::handlers::detail
