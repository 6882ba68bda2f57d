// SPDX-License-Identifier: MIT
// bench_writer: submits `--count` client_create records, ids `PREFIX-I` (I from `--first`),
// either to the FIFO (one write() per record, as the panel does) or as pickup files
// (`.NAME.tmp` renamed to `NAME.json`). With `--rate R` it paces the FIFO writes at R per
// second and ids become `PREFIX-I-NS`, NS the wall-clock nanoseconds just before the write.
#include "bench_common.hpp"

#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace {

[[noreturn]] void die(const std::string& what, int error) {
  std::cerr << "bench_writer: " << what << ": " << std::strerror(error) << "\n";
  std::exit(1);
}

// One record line of about `bytes` bytes (the contact name pads it), ending in '\n'.
std::string make_record(const std::string& id, const std::string& login, std::size_t bytes) {
  std::string head = R"({"event":"client_create","id":")" + id + R"(","new":{"login_name":")" + login +
                     R"(","contact_name":"Bench User)";
  std::string tail = "\"}}\n";
  std::size_t used = head.size() + tail.size();
  std::string pad = used + 1 < bytes ? " " + std::string(bytes - used - 1, 'x') : "";
  return head + pad + tail;
}

void write_all(int fd, const std::string& data, const std::string& what) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t wrote = ::write(fd, data.data() + done, data.size() - done);
    if (wrote < 0) {
      if (errno == EINTR) {
        continue;
      }
      die("write " + what, errno);
    }
    done += static_cast<std::size_t>(wrote);
  }
}

} // namespace

int main(int argc, char** argv) {
  std::string fifo;
  std::string pickup;
  std::int64_t count = 1000;
  std::int64_t first = 0;
  std::string prefix = "b";
  double rate = 0;
  std::size_t bytes = 200;
  std::int64_t per_file = 1000;
  CLI::App app{"Write benchmark records to the eventmgr FIFO or pickup directory; prints a JSON summary"};
  auto* fifo_option = app.add_option("--fifo", fifo, "the daemon's named pipe");
  app.add_option("--pickup", pickup, "the daemon's pickup directory")->excludes(fifo_option);
  app.add_option("--count", count, "records to write")->check(CLI::PositiveNumber);
  app.add_option("--first", first, "number of the first record (ids PREFIX-FIRST, ...)");
  app.add_option("--prefix", prefix, "id and login name prefix");
  app.add_option("--rate", rate, "records per second (FIFO only); ids then carry the send time in ns")
    ->check(CLI::NonNegativeNumber);
  app.add_option("--bytes", bytes, "approximate bytes per record")->check(CLI::Range(64, 4096));
  app.add_option("--per-file", per_file, "records per pickup file (at most 1 MiB)")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  if (fifo.empty() == pickup.empty()) {
    std::cerr << "bench_writer: give one of --fifo and --pickup\n";
    return 2;
  }
  if (rate > 0 && fifo.empty()) {
    std::cerr << "bench_writer: --rate needs --fifo\n";
    return 2;
  }

  std::int64_t start_mono = bench::mono_ns();
  std::int64_t first_ns = bench::wall_ns();
  if (!fifo.empty()) {
    // O_NONBLOCK only for the open: fail at once (ENXIO) when no daemon holds the pipe.
    int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      die("open " + fifo, errno);
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
      die("fcntl " + fifo, errno);
    }
    for (std::int64_t i = first; i < first + count; ++i) {
      std::string id = prefix + "-" + std::to_string(i);
      if (rate > 0) {
        std::int64_t due = start_mono + static_cast<std::int64_t>(static_cast<double>(i - first) * 1e9 / rate);
        timespec when{static_cast<time_t>(due / 1'000'000'000), static_cast<long>(due % 1'000'000'000)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &when, nullptr) == EINTR) {
        }
        std::string login = id;
        id += "-" + std::to_string(bench::wall_ns());
        write_all(fd, make_record(id, login, bytes), fifo);
      } else {
        write_all(fd, make_record(id, id, bytes), fifo);
      }
    }
    ::close(fd);
  } else {
    std::string batch;
    std::int64_t file_number = 0;
    auto flush = [&] {
      std::string name = prefix + "-" + std::to_string(first) + "-" + std::to_string(file_number++);
      std::string tmp = pickup + "/." + name + ".tmp";
      int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd < 0) {
        die("create " + tmp, errno);
      }
      write_all(fd, batch, tmp);
      ::close(fd);
      if (::rename(tmp.c_str(), (pickup + "/" + name + ".json").c_str()) != 0) {
        die("rename " + tmp, errno);
      }
      batch.clear();
    };
    std::int64_t in_batch = 0;
    for (std::int64_t i = first; i < first + count; ++i) {
      std::string id = prefix + "-" + std::to_string(i);
      std::string record = make_record(id, id, bytes);
      if (in_batch == per_file || batch.size() + record.size() > (std::size_t{1} << 20)) {
        flush();
        in_batch = 0;
      }
      batch += record;
      ++in_batch;
    }
    flush();
  }
  double seconds = static_cast<double>(bench::mono_ns() - start_mono) / 1e9;
  bench::JsonLine()
    .add("records", count)
    .add("seconds", seconds)
    .add("records_per_s", static_cast<double>(count) / seconds)
    .add("first_ns", first_ns)
    .add("last_ns", bench::wall_ns())
    .print();
  return 0;
}
