// SPDX-License-Identifier: MIT
#include "handlers/spawn.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <ctime>
#include <iterator>

// The child issues raw system calls whose ABI differs between architectures: the kernel's
// struct sigaction, and setgroups/setresuid taking 16-bit ids on i386 and arm.
#if !defined(__x86_64__) && !defined(__aarch64__)
#error "spawn.cpp: check the kernel sigaction layout and the 32-bit-id system calls for this architecture"
#endif

// Child code runs on its own small stack in memory shared with the parent: sanitizer
// instrumentation would poison shadow memory for that stack or call into the runtime.
#define EVENTMGR_RAW_CHILD __attribute__((no_sanitize("address", "undefined", "thread")))

// The fallback for kernels without clone3 (before 5.3). ThreadSanitizer intercepts clone() as
// if it were fork() and fails on a CLONE_VM child; its build calls glibc's own entry point,
// which the interceptor does not wrap.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define EVENTMGR_CLONE_BYPASS 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define EVENTMGR_CLONE_BYPASS 1
#endif
#ifdef EVENTMGR_CLONE_BYPASS
extern "C" int __clone(int (*fn)(void*), void* stack, int flags, void* arg, ...);
#define EVENTMGR_CLONE __clone
#else
#define EVENTMGR_CLONE clone
#endif

namespace eventmgr::handlers::detail {
namespace {

constexpr std::size_t k_child_stack_size = 64 * 1024;
constexpr int k_last_signal = 64;                 // _NSIG - 1
constexpr unsigned long k_kernel_sigset_size = 8; // _NSIG / 8 bytes
constexpr int k_first_free_fd = 3;

// The kernel's struct sigaction on x86_64 and aarch64 (not glibc's, whose mask is 128 bytes).
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  unsigned long mask;
};

// Shared with the child (CLONE_VM): the child writes `failed` and `error` before exiting, and
// the parent reads them once the kernel has cleared `released` (CLONE_CHILD_CLEARTID: when
// the child execs or exits, it releases the parent's memory, writes 0 there and wakes the
// futex). This is how glibc's posix_spawn reports errors, with CLONE_VFORK; an error pipe
// would block the parent while another thread's forked child still held its write end.
struct ChildContext {
  const SpawnPlan* plan;
  SpawnStep failed;
  int error;
  std::atomic<int> released{1};
};
static_assert(sizeof(std::atomic<int>) == sizeof(int), "the kernel writes a 32-bit word");

// The kernel's struct clone_args (clone3), up to `cgroup` (size 88, kernel 5.7).
struct CloneArgs {
  std::uint64_t flags;
  std::uint64_t pidfd;
  std::uint64_t child_tid;
  std::uint64_t parent_tid;
  std::uint64_t exit_signal;
  std::uint64_t stack;
  std::uint64_t stack_size;
  std::uint64_t tls;
  std::uint64_t set_tid;
  std::uint64_t set_tid_size;
  std::uint64_t cgroup;
};
constexpr std::uint64_t k_clone_into_cgroup = 0x200000000ULL;

} // namespace
} // namespace eventmgr::handlers::detail

// clone3 returns in the child on the new stack with no frame to return to, so the child's
// side is written in assembly, as glibc's own (unexported) __clone3: it calls fn(arg) and
// exits with its result. Returns the child's pid or -errno in the parent. No sanitizer
// intercepts it (the child runs only EVENTMGR_RAW_CHILD code and raw system calls).
extern "C" long eventmgr_clone3(void* args, unsigned long size, int (*fn)(void*), void* arg);
#if defined(__x86_64__)
asm(R"(
  .text
  .p2align 4
  .globl eventmgr_clone3
  .hidden eventmgr_clone3
  .type eventmgr_clone3, @function
eventmgr_clone3:
  .cfi_startproc
  movq %rdx, %r8
  movq %rcx, %r9
  movl $435, %eax
  syscall
  testq %rax, %rax
  jz 1f
  ret
1:
  .cfi_undefined rip
  xorl %ebp, %ebp
  movq %r9, %rdi
  callq *%r8
  movl %eax, %edi
  movl $60, %eax
  syscall
  hlt
  .cfi_endproc
  .size eventmgr_clone3, .-eventmgr_clone3
)");
#elif defined(__aarch64__)
asm(R"(
  .text
  .p2align 4
  .globl eventmgr_clone3
  .hidden eventmgr_clone3
  .type eventmgr_clone3, %function
eventmgr_clone3:
  .cfi_startproc
  mov x10, x2
  mov x11, x3
  mov x8, #435
  svc #0
  cbz x0, 1f
  ret
1:
  .cfi_undefined x30
  mov x29, xzr
  mov x0, x11
  blr x10
  mov x8, #93
  svc #0
  .cfi_endproc
  .size eventmgr_clone3, .-eventmgr_clone3
)");
#endif

namespace eventmgr::handlers::detail {
namespace {

[[noreturn]] EVENTMGR_RAW_CHILD void child_fail(ChildContext& context, SpawnStep step) {
  context.error = errno;
  context.failed = step;
  for (;;) {
    syscall(SYS_exit, 127);
  }
}

// Closes every descriptor >= 3 by listing /proc/self/fd, for kernels older than 5.9 (no
// close_range). Returns false with errno set.
EVENTMGR_RAW_CHILD bool close_by_listing() {
  long dir = syscall(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    return false;
  }
  alignas(dirent64) char buffer[2048];
  for (bool closed = false;;) {
    long size = syscall(SYS_getdents64, dir, buffer, sizeof buffer);
    if (size == 0 && closed) { // the listing changed under us: read it again
      closed = false;
      syscall(SYS_lseek, dir, 0, SEEK_SET);
      continue;
    }
    if (size <= 0) {
      syscall(SYS_close, dir);
      return size == 0;
    }
    for (long at = 0; at < size;) {
      const auto* entry = reinterpret_cast<const dirent64*>(buffer + at);
      at += entry->d_reclen;
      int fd = 0;
      const char* c = entry->d_name;
      for (; *c >= '0' && *c <= '9'; ++c) {
        fd = fd * 10 + (*c - '0');
      }
      if (c != entry->d_name && *c == '\0' && fd >= k_first_free_fd && fd != dir) {
        syscall(SYS_close, fd);
        closed = true;
      }
    }
  }
}

// Runs in the child with every signal blocked (the parent blocked them before clone).
// Only system calls: the memory and the parent thread's TLS (errno) are shared.
EVENTMGR_RAW_CHILD int child_main(void* argument) {
  auto& context = *static_cast<ChildContext*>(argument);
  const SpawnPlan& plan = *context.plan;

  // Handlers installed by the daemon (Asio's signal_set) must not run here, and an ignored
  // signal must not survive as "ignored" into the program: every disposition that is not the
  // default (the plan's list, or all of them) goes back to the default.
  KernelSigaction default_action{};
  default_action.handler = SIG_DFL;
  if (plan.reset_signals != nullptr) {
    for (std::size_t i = 0; i < plan.reset_count; ++i) {
      syscall(SYS_rt_sigaction, plan.reset_signals[i], &default_action, nullptr, k_kernel_sigset_size);
    }
  } else {
    for (int signal = 1; signal <= k_last_signal; ++signal) {
      if (signal != SIGKILL && signal != SIGSTOP) {
        syscall(SYS_rt_sigaction, signal, &default_action, nullptr, k_kernel_sigset_size);
      }
    }
  }

  if (syscall(SYS_setsid) < 0) {
    child_fail(context, SpawnStep::session);
  }
  if (syscall(SYS_dup3, plan.stdin_fd, 0, 0) < 0 || syscall(SYS_dup3, plan.stdout_fd, 1, 0) < 0 ||
      syscall(SYS_dup3, plan.stderr_fd, 2, 0) < 0) {
    child_fail(context, SpawnStep::stdio);
  }
  // Closed, not only marked close-on-exec, and before the user switch: from the switch on, a
  // process of that user may stop this child short of its exec, and it must then hold no
  // copy of the daemon's descriptors (the state-dir lock would refuse the next daemon).
  // Also, afterwards /proc/self/fd may no longer be readable.
  if (syscall(SYS_close_range, k_first_free_fd, ~0U, 0) < 0) {
    if ((errno != ENOSYS && errno != EINVAL) || !close_by_listing()) {
      child_fail(context, SpawnStep::descriptors);
    }
  }
  // Limits while still privileged, so a hard limit can be lowered for the handler's user.
  for (std::size_t i = 0; i < plan.limit_count; ++i) {
    if (syscall(SYS_prlimit64, 0, plan.limit_resources[i], &plan.limit_values[i], nullptr) < 0) {
      child_fail(context, SpawnStep::limits);
    }
  }
  if (plan.switch_user) {
    if (syscall(SYS_setgroups, plan.group_count, plan.groups) < 0) {
      child_fail(context, SpawnStep::groups);
    }
    if (syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) < 0) {
      child_fail(context, SpawnStep::gid);
    }
    if (syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) < 0) {
      child_fail(context, SpawnStep::uid);
    }
  }
  // After the switch, so that the directory is one the user may enter.
  if (syscall(SYS_chdir, plan.cwd) < 0 && syscall(SYS_chdir, "/") < 0) {
    child_fail(context, SpawnStep::cwd);
  }
  syscall(SYS_umask, plan.umask);
  unsigned long no_signals = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &no_signals, nullptr, k_kernel_sigset_size);
  syscall(SYS_execve, plan.path, plan.argv, plan.envp);
  child_fail(context, SpawnStep::exec);
}

// Moves `fd` to a number >= 3 (close-on-exec); returns the descriptor or -1 with errno.
int above_stdio(int fd) {
  if (fd < 0 || fd >= k_first_free_fd) {
    return fd;
  }
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, k_first_free_fd);
  int saved = errno;
  close(fd);
  errno = saved;
  return moved;
}

} // namespace

std::vector<int> signals_to_reset_now() {
  constexpr int always[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE,
                            SIGALRM, SIGTERM, SIGCHLD, 32,      33};
  std::vector<int> signals;
  for (int signal = 1; signal <= k_last_signal; ++signal) {
    if (signal == SIGKILL || signal == SIGSTOP) {
      continue;
    }
    KernelSigaction current{};
    const bool read = syscall(SYS_rt_sigaction, signal, nullptr, &current, k_kernel_sigset_size) == 0;
    const bool changed = !read || current.handler != SIG_DFL;
    if (changed || std::find(std::begin(always), std::end(always), signal) != std::end(always)) {
      signals.push_back(signal);
    }
  }
  return signals;
}

OwnedFd& OwnedFd::operator=(OwnedFd&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) {
      close(m_fd);
    }
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

OwnedFd::~OwnedFd() {
  if (m_fd >= 0) {
    close(m_fd);
  }
}

bool make_pipe(Pipe& pipe) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) {
    return false;
  }
  OwnedFd read_end(above_stdio(fds[0]));
  OwnedFd write_end(above_stdio(fds[1]));
  if (read_end.get() < 0 || write_end.get() < 0) {
    return false;
  }
  pipe.read = std::move(read_end);
  pipe.write = std::move(write_end);
  return true;
}

OwnedFd open_null() {
  return OwnedFd(above_stdio(open("/dev/null", O_RDONLY | O_CLOEXEC)));
}

namespace {

// The child's stack, mapped once per thread and reused: the parent waits until the child has
// exec'd or is dead (spawn), so one launch at a time per thread uses it. Saves an
// mmap/mprotect/munmap and the stack's page faults on every launch.
class ChildStack {
public:
  ChildStack() = default;
  ChildStack(const ChildStack&) = delete;
  ChildStack& operator=(const ChildStack&) = delete;
  ~ChildStack() {
    if (m_base != nullptr) {
      munmap(m_base, m_guard + k_child_stack_size);
    }
  }
  // The top of the stack, mapped on first use (and again after a failed attempt); nullptr
  // with errno set when it cannot be mapped.
  char* top() {
    if (m_base == nullptr) {
      long page = sysconf(_SC_PAGESIZE);
      m_guard = page > 0 ? static_cast<std::size_t>(page) : 4096;
      void* mapped = mmap(nullptr, m_guard + k_child_stack_size, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
      if (mapped == MAP_FAILED) {
        return nullptr;
      }
      m_base = mapped;
      // The stack grows down: a fault below it beats corrupting whatever is mapped there.
      mprotect(m_base, m_guard, PROT_NONE);
    }
    return static_cast<char*>(m_base) + m_guard + k_child_stack_size;
  }

private:
  void* m_base = nullptr;
  std::size_t m_guard = 0;
};

} // namespace

namespace {

// Starts the child: clone3 (into `plan.cgroup_fd` if given), else, before kernel 5.3, clone
// (then without a cgroup). Returns the pid, or -1 with errno set.
pid_t start_child(const SpawnPlan& plan, ChildContext& context, char* stack_top, int& pidfd) {
  constexpr std::uint64_t shared = CLONE_VM | CLONE_PIDFD | CLONE_CHILD_CLEARTID;
  CloneArgs args{};
  args.flags = shared | (plan.cgroup_fd >= 0 ? k_clone_into_cgroup : 0);
  args.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);
  args.child_tid = reinterpret_cast<std::uintptr_t>(&context.released);
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<std::uintptr_t>(stack_top) - k_child_stack_size;
  args.stack_size = k_child_stack_size;
  args.cgroup = plan.cgroup_fd >= 0 ? static_cast<std::uint64_t>(plan.cgroup_fd) : 0;
  long cloned = eventmgr_clone3(&args, sizeof args, child_main, &context);
  if (cloned >= 0) {
    return static_cast<pid_t>(cloned);
  }
  if (cloned != -ENOSYS) {
    errno = static_cast<int>(-cloned);
    return -1;
  }
  pid_t pid = EVENTMGR_CLONE(child_main, stack_top, static_cast<int>(shared) | SIGCHLD, &context, &pidfd,
                             nullptr, &context.released);
  if (pid < 0 && errno == EINVAL) { // a kernel before 5.2: no CLONE_PIDFD
    pidfd = -1;
    pid = EVENTMGR_CLONE(child_main, stack_top, CLONE_VM | CLONE_CHILD_CLEARTID | SIGCHLD, &context, nullptr,
                         nullptr, &context.released);
  }
  return pid;
}

// Waits until the child has exec'd or exited (the kernel clears `released` and wakes its
// futex), at most `deadline_ms`; false at the deadline. Shared (not private) futex: the
// kernel's wake is a shared one.
bool wait_released(std::atomic<int>& released, int deadline_ms) {
  timespec deadline{};
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += deadline_ms / 1000;
  deadline.tv_nsec += static_cast<long>(deadline_ms % 1000) * 1'000'000;
  if (deadline.tv_nsec >= 1'000'000'000) {
    deadline.tv_sec += 1;
    deadline.tv_nsec -= 1'000'000'000;
  }
  for (;;) {
    int value = released.load(std::memory_order_acquire);
    if (value == 0) {
      return true;
    }
    // The child shares this thread's errno (CLONE_VM, same TLS) and may be about to read it
    // after a failed step: this call sets errno only when the child is done (EAGAIN) or at
    // the deadline (ETIMEDOUT), after which the child is killed and its report ignored.
    long waited = syscall(SYS_futex, reinterpret_cast<int*>(&released), FUTEX_WAIT_BITSET, value, &deadline,
                          nullptr, FUTEX_BITSET_MATCH_ANY);
    if (waited < 0 && errno == ETIMEDOUT) {
      return released.load(std::memory_order_acquire) == 0;
    }
  }
}

void reap_child(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

} // namespace

SpawnResult spawn(const SpawnPlan& plan) {
  thread_local ChildStack stack;
  char* stack_top = stack.top();
  if (stack_top == nullptr) {
    return {.pid = -1, .failed = SpawnStep::prepare, .error = errno};
  }

  ChildContext context{.plan = &plan, .failed = SpawnStep::none, .error = 0};

  // Block every signal, glibc's internal ones too (pthread_sigmask would leave SIGSETXID
  // open, and its handler would run in the child on shared memory); the child unblocks them
  // just before execve, after resetting the dispositions.
  unsigned long all_signals = ~0UL;
  unsigned long saved_mask = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all_signals, &saved_mask, k_kernel_sigset_size);
  int pidfd = -1;
  pid_t pid = start_child(plan, context, stack_top, pidfd);
  int clone_error = errno;
  // The child uses this thread's stack top and `context` until it has exec'd: wait for that
  // here, where CLONE_VFORK would wait in the kernel for ever. A child stopped (SIGSTOP from a
  // process of the handler's user, once it has switched) is killed at the deadline; it is our
  // unreaped child, so its pid cannot have been reused.
  bool released = pid < 0 || wait_released(context.released, plan.exec_deadline_ms);
  if (!released) {
    kill(pid, SIGKILL);
    reap_child(pid); // a zombie has released the memory it shared with us
  }
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &saved_mask, nullptr, k_kernel_sigset_size);

  if (pid < 0) {
    return {.pid = -1, .failed = SpawnStep::prepare, .error = clone_error};
  }
  if (!released || context.failed != SpawnStep::none) {
    if (pidfd >= 0) {
      close(pidfd);
    }
    if (released) {
      reap_child(pid);
      return {.pid = -1, .failed = context.failed, .error = context.error};
    }
    return {.pid = -1, .failed = SpawnStep::held, .error = 0};
  }
  if (pidfd < 0) {
    pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  }
  return {.pid = pid, .pidfd = pidfd, .failed = SpawnStep::none, .error = 0};
}

} // namespace eventmgr::handlers::detail
