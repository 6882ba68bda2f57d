// SPDX-License-Identifier: MIT
// bench_spawn_floor: the dispatch and latency floors.
//   default: `--count` x posix_spawn + waitpid of `--program` with one argument, split over
//            `--parallel` threads each running its own loop; prints launches/s and the
//            per-launch latency (spawn to reaped) percentiles.
//   --start-latency: spawns `/usr/bin/date +%s%N` with stdout on a pipe, one at a time, and
//            prints how long after the spawn request the program was running (its own clock
//            reading), the floor of the daemon's submit-to-handler-start latency.
#include "bench_common.hpp"

#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <iostream>
#include <thread>

extern char** environ;

namespace {

[[noreturn]] void die(const std::string& what, int error) {
  std::cerr << "bench_spawn_floor: " << what << ": " << std::strerror(error) << "\n";
  std::exit(1);
}

// Launches `program arg` `count` times; appends each launch's spawn-to-reaped time (us).
void launch_loop(const std::string& program, const std::string& arg, std::int64_t count, std::vector<double>& out) {
  std::string program_copy = program;
  std::string arg_copy = arg;
  char* child_argv[] = {program_copy.data(), arg_copy.data(), nullptr};
  out.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    std::int64_t start = bench::mono_ns();
    pid_t pid = 0;
    if (int rc = posix_spawn(&pid, program.c_str(), nullptr, nullptr, child_argv, environ); rc != 0) {
      die("posix_spawn " + program, rc);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) {
        die("waitpid", errno);
      }
    }
    out.push_back(static_cast<double>(bench::mono_ns() - start) / 1e3);
  }
}

// One `date +%s%N` with stdout on a pipe: microseconds from the spawn request to its clock reading.
double start_latency_once() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    die("pipe2", errno);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  char program[] = "/usr/bin/date";
  char format[] = "+%s%N";
  char* child_argv[] = {program, format, nullptr};
  std::int64_t requested = bench::wall_ns();
  pid_t pid = 0;
  if (int rc = posix_spawn(&pid, program, &actions, nullptr, child_argv, environ); rc != 0) {
    die("posix_spawn /usr/bin/date", rc);
  }
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  std::string output;
  char buffer[64];
  for (ssize_t got; (got = read(fds[0], buffer, sizeof buffer)) != 0;) {
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      die("read", errno);
    }
    output.append(buffer, static_cast<std::size_t>(got));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return static_cast<double>(std::stoll(output) - requested) / 1e3;
}

} // namespace

int main(int argc, char** argv) {
  std::int64_t count = 5000;
  int parallel = 1;
  std::string program = "/bin/true";
  std::string arg = "u1";
  bool start_latency = false;
  CLI::App app{"posix_spawn+waitpid loops: the launch floor of handler dispatch, as JSON"};
  app.add_option("--count", count, "launches in total")->check(CLI::PositiveNumber);
  app.add_option("--parallel", parallel, "loops running at once, one thread each")->check(CLI::Range(1, 64));
  app.add_option("--program", program, "absolute path of the program to launch");
  app.add_option("--arg", arg, "its one argument");
  app.add_flag("--start-latency", start_latency, "measure spawn-request-to-running with `date +%s%N` instead");
  CLI11_PARSE(app, argc, argv);

  if (start_latency) {
    std::vector<double> latencies;
    for (std::int64_t i = 0; i < count; ++i) {
      latencies.push_back(start_latency_once());
    }
    bench::JsonLine()
      .add("launches", count)
      .add("start_us_p50", bench::percentile(latencies, 0.50))
      .add("start_us_p99", bench::percentile(latencies, 0.99))
      .add("start_us_max", bench::percentile(latencies, 1.0))
      .print();
    return 0;
  }

  std::vector<std::vector<double>> per_loop(static_cast<std::size_t>(parallel));
  std::vector<std::thread> loops;
  std::int64_t start = bench::mono_ns();
  for (int i = 0; i < parallel; ++i) {
    std::int64_t share = count / parallel + (i < count % parallel ? 1 : 0);
    loops.emplace_back(launch_loop, std::cref(program), std::cref(arg), share, std::ref(per_loop[static_cast<std::size_t>(i)]));
  }
  for (auto& loop : loops) {
    loop.join();
  }
  double seconds = static_cast<double>(bench::mono_ns() - start) / 1e9;
  std::vector<double> latencies;
  for (const auto& loop : per_loop) {
    latencies.insert(latencies.end(), loop.begin(), loop.end());
  }
  bench::JsonLine()
    .add("launches", count)
    .add("parallel", std::int64_t{parallel})
    .add("seconds", seconds)
    .add("launches_per_s", static_cast<double>(count) / seconds)
    .add("latency_us_p50", bench::percentile(latencies, 0.50))
    .add("latency_us_p99", bench::percentile(latencies, 0.99))
    .add("latency_us_max", bench::percentile(latencies, 1.0))
    .print();
  return 0;
}
