// SPDX-License-Identifier: MIT
#include "handlers/launcher.hpp"

#include "common/users.hpp"
#include "temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <doctest/doctest.h>

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using eventmgr::handlers::Launcher;
using eventmgr::handlers::LaunchSpec;
using eventmgr::handlers::run_blocking;
using eventmgr::handlers::RunOutcome;
using eventmgr::handlers::RunStatus;
using eventmgr::testing::TempDir;
using namespace std::chrono_literals;

namespace {

LaunchSpec make_spec(std::vector<std::string> argv) {
  LaunchSpec spec;
  spec.argv = std::move(argv);
  spec.env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"};
  return spec;
}

LaunchSpec shell(const std::string& script) {
  return make_spec({"/bin/sh", "-c", script});
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    result.push_back(line);
  }
  return result;
}

// A process that was SIGKILLed is gone, or a zombie waiting for a reaper that is not us.
bool process_dead(pid_t pid) {
  for (int attempt = 0; attempt < 500; ++attempt) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string content;
    if (!stat || !std::getline(stat, content)) {
      return true;
    }
    auto state_at = content.rfind(')') + 2;
    if (state_at < content.size() && (content[state_at] == 'Z' || content[state_at] == 'X')) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

// Whether a launcher on this machine puts each run in a cgroup it kills at the run's end.
bool runs_contained() {
  boost::asio::io_context context;
  Launcher launcher(context.get_executor());
  if (!launcher.contains_runs()) {
    MESSAGE("runs not contained here: " << launcher.containment());
  }
  return launcher.contains_runs();
}

std::set<std::string> words(const std::string& text) {
  std::set<std::string> result;
  std::istringstream in(text);
  for (std::string word; in >> word;) {
    result.insert(word);
  }
  return result;
}

} // namespace

TEST_SUITE_BEGIN("handlers::Launcher");

TEST_CASE("arguments reach the program byte for byte, never through a shell") {
  std::vector<std::string> hostile = {"",      "a b",         "$HOME", "*",           "; rm -rf /", "`id`",
                                      "$(id)", "line\nbreak", "'\"\\", "caf\xc3\xa9", "\t",         "-n"};
  std::vector<std::string> argv = {"/bin/sh", "-c", "printf '[%s]' \"$@\"", "sh"};
  argv.insert(argv.end(), hostile.begin(), hostile.end());
  RunOutcome outcome = run_blocking(make_spec(argv));
  CHECK(outcome.status == RunStatus::ok);
  std::string expected;
  for (const auto& arg : hostile) {
    expected += "[" + arg + "]";
  }
  CHECK(outcome.out == expected);
  CHECK(outcome.err.empty());
}

TEST_CASE("the environment is exactly the one given") {
  LaunchSpec spec = make_spec({"/usr/bin/env", "-0"});
  spec.env = {"A=1", "EMPTY=", "WEIRD=$(id) `id` \n 'q' \"x\" *", "NEW_NAME=caf\xc3\xa9"};
  RunOutcome outcome = run_blocking(spec);
  CHECK(outcome.status == RunStatus::ok);
  std::string expected;
  for (const auto& entry : spec.env) {
    expected += entry;
    expected.push_back('\0');
  }
  CHECK(outcome.out == expected);
}

TEST_CASE("the exit status becomes the outcome") {
  SUBCASE("exit 0 is ok") {
    RunOutcome outcome = run_blocking(make_spec({"/bin/true"}));
    CHECK(outcome.status == RunStatus::ok);
    CHECK(outcome.exit_code == 0);
    CHECK_FALSE(outcome.timed_out);
    CHECK(outcome.pid > 0);
    CHECK(outcome.started_ms > 1600000000000);
    CHECK(outcome.finished_ms >= outcome.started_ms);
  }
  SUBCASE("a non-zero exit keeps its code") {
    RunOutcome outcome = run_blocking(shell("echo out; echo err >&2; exit 7"));
    CHECK(outcome.status == RunStatus::exit);
    CHECK(outcome.exit_code == 7);
    CHECK(outcome.out == "out\n");
    CHECK(outcome.err == "err\n");
  }
  SUBCASE("death by a signal keeps the signal") {
    RunOutcome outcome = run_blocking(shell("kill -USR1 $$"));
    CHECK(outcome.status == RunStatus::signal);
    CHECK(outcome.signal == SIGUSR1);
    CHECK_FALSE(outcome.timed_out);
  }
}

TEST_CASE("a program that cannot be executed is not started, with the reason") {
  SUBCASE("missing") {
    RunOutcome outcome = run_blocking(make_spec({"/no/such", "x"}));
    CHECK(outcome.status == RunStatus::not_started);
    CHECK(outcome.start_error == "cannot execute /no/such: No such file or directory");
    CHECK(outcome.finished_ms >= outcome.started_ms);
  }
  SUBCASE("not executable") {
    eventmgr::testing::TempDir dir;
    std::string path = dir.file("script.sh");
    std::ofstream(path) << "#!/bin/sh\nexit 0\n";
    chmod(path.c_str(), 0644);
    RunOutcome outcome = run_blocking(make_spec({path}));
    CHECK(outcome.status == RunStatus::not_started);
    CHECK(outcome.start_error == "cannot execute " + path + ": Permission denied");
  }
  SUBCASE("empty command") {
    RunOutcome outcome = run_blocking(make_spec({}));
    CHECK(outcome.status == RunStatus::not_started);
    CHECK(outcome.start_error == "cannot start handler: empty command");
  }
  SUBCASE("an argument with a NUL byte cannot be passed byte for byte") {
    RunOutcome outcome = run_blocking(make_spec({"/bin/echo", std::string("a\0b", 3)}));
    CHECK(outcome.status == RunStatus::not_started);
    CHECK(outcome.start_error == "cannot start /bin/echo: argument 1 contains a NUL byte");
  }
}

TEST_CASE("a time-out terminates the whole process group") {
  LaunchSpec spec;
  int expected_signal = 0;
  SUBCASE("SIGTERM ends it") {
    spec = shell("sleep 300 & echo $!; wait");
    expected_signal = SIGTERM;
  }
  SUBCASE("SIGKILL after the grace period when SIGTERM is ignored") {
    spec = shell("trap '' TERM; sleep 300 & echo $!; wait; wait; wait");
    expected_signal = SIGKILL;
  }
  spec.timeout = 300ms;
  spec.kill_grace = 300ms;
  RunOutcome outcome = run_blocking(spec);
  CHECK(outcome.status == RunStatus::timeout);
  CHECK(outcome.timed_out);
  CHECK(outcome.signal == expected_signal);
  std::vector<std::string> printed = lines(outcome.out);
  REQUIRE(printed.size() == 1);
  pid_t grandchild = std::stoi(printed[0]);
  CHECK(process_dead(grandchild));
}

TEST_CASE("descendants left in the group are killed when the handler exits") {
  RunOutcome outcome = run_blocking(shell("sleep 300 >/dev/null 2>&1 & echo $!"));
  CHECK(outcome.status == RunStatus::ok);
  std::vector<std::string> printed = lines(outcome.out);
  REQUIRE(printed.size() == 1);
  CHECK(process_dead(std::stoi(printed[0])));
}

TEST_CASE("a descendant that leaves the group cannot keep the run open through its output") {
  LaunchSpec spec = shell("setsid sleep 300 & echo $!");
  spec.output_drain = 200ms;
  RunOutcome outcome = run_blocking(spec);
  CHECK(outcome.status == RunStatus::ok);
  std::vector<std::string> printed = lines(outcome.out);
  REQUIRE(printed.size() == 1);
  pid_t escaped = std::stoi(printed[0]);
  if (runs_contained()) {
    CHECK(process_dead(escaped));
  } else {
    CHECK(kill(escaped, SIGKILL) == 0); // it did escape the group kill: clean up
  }
}

TEST_CASE("descendants that leave the session or the process group die with their run") {
  if (!runs_contained()) {
    return;
  }
  const std::string script = "setsid sleep 301 </dev/null >/dev/null 2>&1 & echo $!;"
                             " /usr/bin/python3 -c 'import os, time; os.setpgid(0, 0); time.sleep(302)'"
                             " </dev/null >/dev/null 2>&1 & echo $!; sleep 0.3; ";
  LaunchSpec spec;
  RunStatus expected = RunStatus::ok;
  SUBCASE("after the handler exits") {
    spec = shell(script + "exit 0");
  }
  SUBCASE("after a time-out") {
    spec = shell(script + "sleep 300");
    spec.timeout = 1s;
    spec.kill_grace = 200ms;
    expected = RunStatus::timeout;
  }
  spec.output_drain = 200ms;
  RunOutcome outcome = run_blocking(spec);
  CHECK(outcome.status == expected);
  std::vector<std::string> printed = lines(outcome.out);
  REQUIRE(printed.size() == 2);
  for (const auto& pid : printed) {
    const bool dead = process_dead(std::stoi(pid));
    CHECK(dead);
    if (!dead) {
      kill(std::stoi(pid), SIGKILL);
    }
  }
}

TEST_CASE("a child stopped before its exec is killed at the deadline and its run reported not started") {
  if (geteuid() != 0) {
    return; // needs a user switch: only then can another process stop the child
  }
  // A uid no account uses: the stopper, running as it, stops every process of that uid.
  eventmgr::UserInfo stranger;
  stranger.name = "stranger";
  stranger.uid = static_cast<uid_t>(3'900'000'000U + static_cast<unsigned>(getpid()));
  stranger.gid = static_cast<gid_t>(stranger.uid);
  TempDir dir;
  // The child changes to this deep directory between its user switch and its exec: a wide window.
  std::filesystem::path deep = dir.path();
  for (int i = 0; i < 1000; ++i) {
    deep /= "d";
  }
  std::filesystem::create_directories(deep);
  for (auto at = deep; at != dir.path().parent_path(); at = at.parent_path()) {
    chmod(at.c_str(), 0755);
  }
  pid_t stopper = fork();
  REQUIRE(stopper >= 0);
  if (stopper == 0) {
    if (setgroups(0, nullptr) == 0 && setresgid(stranger.gid, stranger.gid, stranger.gid) == 0 &&
        setresuid(stranger.uid, stranger.uid, stranger.uid) == 0) {
      for (;;) {
        kill(-1, SIGSTOP);
      }
    }
    _exit(1);
  }
  LaunchSpec spec = make_spec({"/bin/true"});
  spec.user = stranger;
  spec.cwd = deep.string();
  spec.exec_deadline = 100ms;
  spec.timeout = 300ms; // a child stopped after its exec
  spec.kill_grace = 100ms;
  RunOutcome held;
  const auto give_up = std::chrono::steady_clock::now() + 60s;
  int runs = 0;
  while (held.start_error.empty() && std::chrono::steady_clock::now() < give_up) {
    RunOutcome outcome = run_blocking(spec);
    ++runs;
    if (outcome.status == RunStatus::not_started) {
      held = std::move(outcome);
    }
  }
  kill(stopper, SIGKILL);
  waitpid(stopper, nullptr, 0);
  MESSAGE("runs until one was held: " << runs);
  CHECK(held.status == RunStatus::not_started);
  CHECK(held.start_error == "cannot start /bin/true: held before exec for 100 ms (stopped, by a process of "
                            "user stranger?); killed");
  CHECK(held.finished_ms - held.started_ms < 30'000);
}

TEST_CASE("output beyond the limit is drained and dropped, and marked truncated") {
  SUBCASE("50 MiB on each stream") {
    LaunchSpec spec = shell("head -c 52428800 /dev/zero; head -c 52428800 /dev/zero >&2; exit 3");
    spec.output_limit = 1000;
    RunOutcome outcome = run_blocking(spec);
    CHECK(outcome.status == RunStatus::exit);
    CHECK(outcome.exit_code == 3);
    CHECK(outcome.out == std::string(1000, '\0'));
    CHECK(outcome.err == std::string(1000, '\0'));
    CHECK(outcome.out_truncated);
    CHECK(outcome.err_truncated);
  }
  SUBCASE("exactly the limit is not truncated") {
    LaunchSpec spec = shell("printf abc");
    spec.output_limit = 3;
    RunOutcome outcome = run_blocking(spec);
    CHECK(outcome.out == "abc");
    CHECK_FALSE(outcome.out_truncated);
  }
  SUBCASE("one byte more is") {
    LaunchSpec spec = shell("printf abc");
    spec.output_limit = 2;
    RunOutcome outcome = run_blocking(spec);
    CHECK(outcome.out == "ab");
    CHECK(outcome.out_truncated);
    CHECK_FALSE(outcome.err_truncated);
  }
}

TEST_CASE("a secret the handler prints is stored as ***, also when written in two halves") {
  const std::string secret = "Tr0ub4dor&3-horse";
  LaunchSpec spec =
      shell("printf 'pw=%s.\\n' \"$NEW_PASSWORD\"; printf 'x%.8s' \"$NEW_PASSWORD\" >&2; sleep 0.1; "
            "printf '%s;' \"${NEW_PASSWORD#????????}\" >&2; printf '%s' \"$NEW_PASSWORD\"");
  spec.env.push_back("NEW_PASSWORD=" + secret);
  spec.secrets = {secret, "ab"};
  SUBCASE("run on the calling thread (eventmgr handler test --run)") {
    RunOutcome outcome = run_blocking(spec);
    CHECK(outcome.status == RunStatus::ok);
    CHECK(outcome.out == "pw=***.\n***");
    CHECK(outcome.err == "x***;");
  }
  SUBCASE("run on a lane") {
    boost::asio::io_context context;
    RunOutcome outcome;
    {
      Launcher launcher(context.get_executor());
      launcher.async_run(spec, [&](RunOutcome result) { outcome = std::move(result); });
      // A second run: the lane prepares spare pipes for it while the first one runs.
      launcher.async_run(spec, [](RunOutcome) {});
      context.run();
    }
    CHECK(outcome.status == RunStatus::ok);
    CHECK(outcome.out == "pw=***.\n***");
    CHECK(outcome.err == "x***;");
  }
}

TEST_CASE("a run that does not print its secret keeps its output byte for byte") {
  LaunchSpec spec = shell("printf 'Tr0ub4dor-horse ab\\0 \\n'; printf 'no secret' >&2");
  spec.env.push_back("NEW_PASSWORD=Tr0ub4dor&3-horse");
  spec.secrets = {"Tr0ub4dor&3-horse", "ab"};
  RunOutcome outcome = run_blocking(spec);
  CHECK(outcome.out == std::string("Tr0ub4dor-horse ab\0 \n", 21));
  CHECK(outcome.err == "no secret");
  CHECK_FALSE(outcome.out_truncated);
}

TEST_CASE("the output limit counts the stored, masked bytes; no part of a secret is kept at the limit") {
  const std::string secret = "s3cr3t-value";
  LaunchSpec spec = shell("printf '1234567%s' \"$S\"; printf '12345678%s' \"$S\" >&2");
  spec.env.push_back("S=" + secret);
  spec.secrets = {secret};
  spec.output_limit = 10;
  RunOutcome outcome = run_blocking(spec);
  CHECK(outcome.out == "1234567***"); // 19 bytes written, 10 stored: nothing dropped
  CHECK_FALSE(outcome.out_truncated);
  CHECK(outcome.err == "12345678**");
  CHECK(outcome.err_truncated);
}

TEST_CASE("no descriptor but 0, 1 and 2 reaches the program") {
  // Descriptors the daemon may hold without close-on-exec (spdlog's log file, for one).
  int leaked_file = open("/dev/null", O_RDONLY);
  int leaked_pipe[2];
  REQUIRE(leaked_file >= 0);
  REQUIRE(pipe(leaked_pipe) == 0);
  int leaked_high = dup2(leaked_file, 200);
  REQUIRE(leaked_high == 200);

  // `ls` runs in a child of the shell and lists the shell's descriptors.
  RunOutcome outcome = run_blocking(shell("ls /proc/$$/fd; true"));
  CHECK(outcome.status == RunStatus::ok);
  CHECK(outcome.out == "0\n1\n2\n");

  close(leaked_file);
  close(leaked_pipe[0]);
  close(leaked_pipe[1]);
  close(leaked_high);
}

TEST_CASE("stdin gets the given data, or /dev/null") {
  SUBCASE("data") {
    LaunchSpec spec = make_spec({"/bin/cat"});
    spec.stdin_data = R"({"event":"client_create","new":{"login_name":"bob"}})";
    RunOutcome outcome = run_blocking(spec);
    CHECK(outcome.status == RunStatus::ok);
    CHECK(outcome.out == *spec.stdin_data);
  }
  SUBCASE("more data than a pipe holds") {
    LaunchSpec spec = make_spec({"/usr/bin/wc", "-c"});
    spec.stdin_data = std::string(1 << 20, 'x');
    RunOutcome outcome = run_blocking(spec);
    CHECK(outcome.out == "1048576\n");
  }
  SUBCASE("nothing") {
    RunOutcome outcome = run_blocking(make_spec({"/usr/bin/readlink", "/proc/self/fd/0"}));
    CHECK(outcome.out == "/dev/null\n");
  }
  SUBCASE("a program that does not read it neither blocks nor kills the daemon (SIGPIPE)") {
    LaunchSpec spec = make_spec({"/bin/true"});
    spec.stdin_data = std::string(4 << 20, 'x');
    RunOutcome outcome = run_blocking(spec);
    CHECK(outcome.status == RunStatus::ok);
  }
}

TEST_CASE("working directory and umask are applied") {
  eventmgr::testing::TempDir dir;
  LaunchSpec spec = shell("pwd; umask");
  spec.umask = 027;
  SUBCASE("the given directory") {
    spec.cwd = dir.path().string();
    RunOutcome outcome = run_blocking(spec);
    CHECK(outcome.out == dir.path().string() + "\n0027\n");
  }
  SUBCASE("/ when it cannot be entered") {
    spec.cwd = dir.file("missing");
    RunOutcome outcome = run_blocking(spec);
    CHECK(outcome.out == "/\n0027\n");
  }
}

TEST_CASE("the program leads a new session and process group") {
  RunOutcome outcome = run_blocking(make_spec({"/bin/cat", "/proc/self/stat"}));
  REQUIRE(outcome.status == RunStatus::ok);
  // pid (comm) state ppid pgrp session ...
  std::istringstream fields(outcome.out.substr(outcome.out.rfind(')') + 2));
  std::string state;
  pid_t parent = 0;
  pid_t group = 0;
  pid_t session = 0;
  fields >> state >> parent >> group >> session;
  CHECK(parent == getpid());
  CHECK(group == outcome.pid);
  CHECK(session == outcome.pid);
}

TEST_CASE("signal dispositions and the signal mask start from the defaults") {
  // What a daemon has: ignored signals, handlers, a blocked mask in the launching thread.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction handle {};
  handle.sa_handler = [](int) {};
  struct sigaction old_usr2 {};
  struct sigaction old_hup {};
  struct sigaction old_winch {};
  struct sigaction old_urg {};
  sigaction(SIGUSR2, &ignore, &old_usr2);
  sigaction(SIGHUP, &handle, &old_hup);
  // Not among the signals always reset: found by reading the dispositions.
  sigaction(SIGWINCH, &ignore, &old_winch);
  sigaction(SIGURG, &handle, &old_urg);
  sigset_t blocked;
  sigset_t old_mask;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGUSR1);
  sigaddset(&blocked, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &blocked, &old_mask);

  const auto spec = make_spec({"/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"});
  RunOutcome outcome = run_blocking(spec);
  // A launcher reads the dispositions at its first run, on a lane.
  boost::asio::io_context context;
  RunOutcome from_lane;
  {
    Launcher launcher(context.get_executor());
    launcher.async_run(spec, [&](RunOutcome result) { from_lane = std::move(result); });
    context.run();
  }

  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGUSR2, &old_usr2, nullptr);
  sigaction(SIGHUP, &old_hup, nullptr);
  sigaction(SIGWINCH, &old_winch, nullptr);
  sigaction(SIGURG, &old_urg, nullptr);
  CHECK(outcome.out == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
  CHECK(from_lane.out == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
  struct sigaction pipe_now {};
  sigaction(SIGPIPE, nullptr, &pipe_now);
  bool pipe_ignored = pipe_now.sa_handler == SIG_IGN;
  CHECK(pipe_ignored); // the Launcher's own doing, documented
}

TEST_CASE("handlers run as their user") {
  auto nobody = eventmgr::lookup_user("nobody");
  REQUIRE(nobody.ok());
  auto root = eventmgr::lookup_user("root");
  REQUIRE(root.ok());

  if (geteuid() == 0) {
    SUBCASE("root switches to the user, its groups and a directory it may enter") {
      eventmgr::testing::TempDir dir; // 0700 root: nobody cannot enter it
      LaunchSpec spec = shell("id -u; id -g; id -G; pwd");
      spec.user = *nobody;
      spec.cwd = dir.path().string();
      RunOutcome outcome = run_blocking(spec);
      REQUIRE(outcome.status == RunStatus::ok);
      std::vector<std::string> printed = lines(outcome.out);
      REQUIRE(printed.size() == 4);
      CHECK(printed[0] == std::to_string(nobody->uid));
      CHECK(printed[1] == std::to_string(nobody->gid));
      std::set<std::string> expected_groups{std::to_string(nobody->gid)};
      for (gid_t group : nobody->groups) {
        expected_groups.insert(std::to_string(group));
      }
      CHECK(words(printed[2]) == expected_groups);
      CHECK(printed[3] == "/");
    }
    SUBCASE("a failed switch names the user") {
      eventmgr::UserInfo impossible = *nobody;
      impossible.name = "crowded";
      impossible.groups.assign(70000, nobody->gid); // above the kernel's NGROUPS_MAX
      LaunchSpec spec = make_spec({"/bin/true"});
      spec.user = impossible;
      RunOutcome outcome = run_blocking(spec);
      CHECK(outcome.status == RunStatus::not_started);
      CHECK(outcome.start_error == "cannot switch to user crowded: Invalid argument");
    }
    SUBCASE("a daemon that is not root runs no one else's handlers") {
      // A forked copy of this test drops to nobody and tries to run a root handler.
      int report[2];
      REQUIRE(pipe(report) == 0);
      pid_t child = fork();
      REQUIRE(child >= 0);
      if (child == 0) {
        close(report[0]);
        int code = 1;
        if (setgroups(0, nullptr) == 0 && setresgid(nobody->gid, nobody->gid, nobody->gid) == 0 &&
            setresuid(nobody->uid, nobody->uid, nobody->uid) == 0) {
          LaunchSpec spec = make_spec({"/bin/true"});
          spec.user = *root;
          std::string error = run_blocking(spec).start_error;
          code = write(report[1], error.data(), error.size()) == static_cast<ssize_t>(error.size()) ? 0 : 1;
        }
        _exit(code);
      }
      close(report[1]);
      std::string error;
      char buffer[256];
      for (ssize_t n; (n = read(report[0], buffer, sizeof buffer)) > 0;) {
        error.append(buffer, static_cast<std::size_t>(n));
      }
      close(report[0]);
      int status = 0;
      REQUIRE(waitpid(child, &status, 0) == child);
      CHECK(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 0);
      CHECK(error == "cannot run as user root: the daemon is not root");
    }
  } else {
    SUBCASE("a daemon that is not root runs no one else's handlers") {
      LaunchSpec spec = make_spec({"/bin/true"});
      spec.user = *root;
      RunOutcome outcome = run_blocking(spec);
      CHECK(outcome.status == RunStatus::not_started);
      CHECK(outcome.start_error == "cannot run as user root: the daemon is not root");
    }
  }
  SUBCASE("its own user needs no switch") {
    auto self = eventmgr::current_user();
    REQUIRE(self.ok());
    LaunchSpec spec = make_spec({"/usr/bin/id", "-u"});
    spec.user = *self;
    RunOutcome outcome = run_blocking(spec);
    CHECK(outcome.status == RunStatus::ok);
    CHECK(outcome.out == std::to_string(geteuid()) + "\n");
  }
}

TEST_CASE(
    "runs on different lanes proceed concurrently; kill_all ends them; done comes once, on the executor") {
  boost::asio::io_context context;
  Launcher launcher(context.get_executor());
  std::vector<RunOutcome> outcomes;
  int calls_off_thread = 0;
  const auto loop_thread = std::this_thread::get_id();
  for (std::size_t lane = 0; lane < 3; ++lane) {
    launcher.async_run(
        make_spec({"/bin/sleep", "300"}),
        [&](RunOutcome outcome) {
          calls_off_thread += std::this_thread::get_id() == loop_thread ? 0 : 1;
          outcomes.push_back(std::move(outcome));
        },
        lane);
  }
  launcher.async_run(
      make_spec({"/no/such"}), [&](RunOutcome outcome) { outcomes.push_back(std::move(outcome)); }, 3);
  CHECK(launcher.running() == 4);
  // Once the not-started run is reported, the three sleepers are still running: kill them.
  // A lane may not have started its sleeper yet (threads start slowly under TSan): kill_all
  // reaches only the running ones, so it is repeated until all three are reported.
  boost::asio::steady_timer poll_timer(context);
  bool first_seen = false;
  std::function<void()> tick = [&] {
    poll_timer.expires_after(5ms);
    poll_timer.async_wait([&](const boost::system::error_code&) {
      if (outcomes.empty()) {
        tick();
        return;
      }
      if (!first_seen) {
        first_seen = true;
        CHECK(outcomes.size() == 1);
        CHECK(launcher.running() == 3);
      }
      launcher.kill_all();
      if (outcomes.size() < 4) {
        tick();
      }
    });
  };
  tick();
  context.run();
  REQUIRE(outcomes.size() == 4);
  CHECK(outcomes[0].status == RunStatus::not_started);
  for (std::size_t i = 1; i < outcomes.size(); ++i) {
    CHECK(outcomes[i].status == RunStatus::signal);
    CHECK(outcomes[i].signal == SIGKILL);
  }
  CHECK(calls_off_thread == 0);
  CHECK(launcher.running() == 0);
}

TEST_CASE("one lane runs its queue in order, and the start hook runs just before each start") {
  boost::asio::io_context context;
  Launcher launcher(context.get_executor());
  std::vector<std::string> seen;
  std::vector<std::int64_t> hook_times(3, 0);
  for (int i = 0; i < 3; ++i) {
    auto hook = [&hook_times, i](std::int64_t started_ms) {
      hook_times[static_cast<std::size_t>(i)] = started_ms;
    };
    launcher.async_run(
        shell("echo run" + std::to_string(i)),
        [&](RunOutcome outcome) {
          CHECK(outcome.status == RunStatus::ok);
          seen.push_back(outcome.out);
        },
        0, hook);
  }
  eventmgr::handlers::RunOutcome decided;
  decided.status = RunStatus::not_started;
  decided.start_error = "refused";
  launcher.async_report(
      decided, [&](RunOutcome outcome) { seen.push_back(outcome.start_error); }, 0);
  context.run();
  CHECK(seen == std::vector<std::string>{"run0\n", "run1\n", "run2\n", "refused"});
  for (std::int64_t started : hook_times) {
    CHECK(started > 0);
  }
  CHECK(hook_times[0] <= hook_times[1]);
  CHECK(hook_times[1] <= hook_times[2]);
}

TEST_CASE("queued runs taken back are reported skipped and never start") {
  boost::asio::io_context context;
  Launcher launcher(context.get_executor());
  TempDir dir;
  const std::string marker = (dir.path() / "started").string();
  std::vector<RunOutcome> outcomes(2);
  int reported = 0;
  auto keep_as = [&](std::size_t index) {
    return [&, index](RunOutcome outcome) {
      outcomes[index] = std::move(outcome);
      ++reported;
    };
  };
  // The first run holds the lane until its fifo is opened, so the second is surely queued.
  const std::string gate = (dir.path() / "gate").string();
  REQUIRE(mkfifo(gate.c_str(), 0600) == 0);
  std::atomic<bool> first_started{false};
  launcher.async_run(shell("read line < " + gate), keep_as(0), 0,
                     [&](std::int64_t) { first_started = true; });
  launcher.async_run(shell("touch " + marker), keep_as(1), 0);
  while (!first_started) {
    std::this_thread::sleep_for(1ms);
  }
  launcher.cancel_queued();
  {
    std::ofstream open_gate(gate);
    open_gate << "go\n";
  }
  context.run();
  REQUIRE(reported == 2);
  CHECK(outcomes[0].status == RunStatus::ok);
  CHECK_FALSE(outcomes[0].skipped);
  CHECK(outcomes[1].skipped);
  CHECK(outcomes[1].status == RunStatus::not_started);
  CHECK_FALSE(std::filesystem::exists(marker));
  CHECK(launcher.running() == 0);
}

TEST_CASE(
    "a run whose hold test fires holds its lane: what is queued behind it comes back held until released") {
  boost::asio::io_context context;
  Launcher launcher(context.get_executor());
  TempDir dir;
  const std::string held_marker = (dir.path() / "held").string();
  const std::string later_marker = (dir.path() / "later").string();
  std::vector<RunOutcome> outcomes(4);
  std::vector<std::size_t> order;
  auto keep_as = [&](std::size_t index) {
    return [&, index](RunOutcome outcome) {
      outcomes[index] = std::move(outcome);
      order.push_back(index);
    };
  };
  auto tempfail = [](const RunOutcome& outcome) {
    return outcome.status == RunStatus::exit && outcome.exit_code == 75;
  };
  // The first run exits 75 and holds the lane; the next two were queued behind it.
  launcher.async_run(shell("exit 75"), keep_as(0), 0, nullptr, tempfail);
  launcher.async_run(shell("touch " + held_marker), keep_as(1), 0, nullptr, tempfail);
  RunOutcome decided;
  decided.status = RunStatus::not_started;
  launcher.async_report(decided, keep_as(2), 0);
  // The event loop releases the lane once it has the first outcome; a run queued after that runs.
  bool released = false;
  while (order.size() < 3) {
    context.run_one();
    if (!released && !order.empty()) {
      REQUIRE(order.front() == 0);
      launcher.release_hold(0);
      released = true;
      launcher.async_run(shell("touch " + later_marker), keep_as(3), 0, nullptr, tempfail);
    }
  }
  context.restart();
  context.run();
  REQUIRE(order == std::vector<std::size_t>{0, 1, 2, 3});
  CHECK(outcomes[0].holds_lane);
  CHECK(outcomes[0].exit_code == 75);
  CHECK(outcomes[1].skipped);
  CHECK(outcomes[1].held);
  CHECK(outcomes[2].held);
  CHECK_FALSE(std::filesystem::exists(held_marker));
  CHECK(outcomes[3].status == RunStatus::ok);
  CHECK_FALSE(outcomes[3].holds_lane);
  CHECK(std::filesystem::exists(later_marker));
  CHECK(launcher.running() == 0);
}

TEST_CASE("a run whose hold test does not fire leaves its lane running") {
  boost::asio::io_context context;
  Launcher launcher(context.get_executor());
  std::vector<RunOutcome> outcomes;
  auto never = [](const RunOutcome&) { return false; };
  launcher.async_run(
      shell("exit 75"), [&](RunOutcome outcome) { outcomes.push_back(std::move(outcome)); }, 0, nullptr,
      never);
  launcher.async_run(
      shell("exit 0"), [&](RunOutcome outcome) { outcomes.push_back(std::move(outcome)); }, 0);
  context.run();
  REQUIRE(outcomes.size() == 2);
  CHECK_FALSE(outcomes[0].holds_lane);
  CHECK(outcomes[1].status == RunStatus::ok);
  CHECK_FALSE(outcomes[1].held);
}

TEST_SUITE_END();
