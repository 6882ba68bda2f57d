// SPDX-License-Identifier: MIT
// bench_wait: polls the journal until a query's integer result reaches `--target`, then prints
// the wall-clock time it saw it. A prepared statement every `--interval-ms` costs far less
// than a sqlite3 CLI process per poll, so polling does not steal the daemon's CPU.
// Exit 0 when reached, 3 on time-out, 4 when the process `--pid` is gone first.
#include "bench_common.hpp"

#include <CLI/CLI.hpp>
#include <sqlite3.h>

#include <signal.h>

#include <iostream>
#include <thread>

int main(int argc, char** argv) {
  std::string path;
  std::string sql;
  std::int64_t target = 0;
  double timeout = 600;
  int interval_ms = 10;
  pid_t pid = 0;
  CLI::App app{"Poll a SQLite query until its result reaches a target; print when, as JSON"};
  app.add_option("--db", path, "database file")->required();
  app.add_option("--sql", sql, "query returning one integer")->required();
  app.add_option("--target", target, "stop once the result is at least this")->required();
  app.add_option("--timeout", timeout, "give up after this many seconds");
  app.add_option("--interval-ms", interval_ms, "poll interval")->check(CLI::Range(1, 10000));
  app.add_option("--pid", pid, "give up when this process is gone");
  CLI11_PARSE(app, argc, argv);

  std::int64_t start = bench::mono_ns();
  auto deadline = start + static_cast<std::int64_t>(timeout * 1e9);
  sqlite3* db = nullptr;
  sqlite3_stmt* query = nullptr;
  std::int64_t value = -1;
  int status = 3;
  std::string last_error;
  while (bench::mono_ns() < deadline) {
    if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) {
      status = 4;
      break;
    }
    if (query == nullptr) {
      // The daemon may not have created or migrated the database yet: retry until it has.
      if (db == nullptr && sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        last_error = sqlite3_errmsg(db);
        sqlite3_close(db);
        db = nullptr;
      } else if (sqlite3_busy_timeout(db, 1000); sqlite3_prepare_v2(db, sql.c_str(), -1, &query, nullptr) != SQLITE_OK) {
        last_error = sqlite3_errmsg(db);
        query = nullptr;
      }
    }
    if (query != nullptr) {
      int rc = sqlite3_step(query);
      if (rc == SQLITE_ROW) {
        value = sqlite3_column_int64(query, 0);
      } else if (rc != SQLITE_DONE) {
        last_error = sqlite3_errmsg(db);
      }
      sqlite3_reset(query);
      if (value >= target) {
        status = 0;
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
  std::int64_t seen_ns = bench::wall_ns();
  sqlite3_finalize(query);
  sqlite3_close(db);
  if (status != 0 && !last_error.empty()) {
    std::cerr << "bench_wait: " << path << ": " << last_error << "\n";
  }
  bench::JsonLine()
    .add("reached", std::int64_t{status == 0 ? 1 : 0})
    .add("value", value)
    .add("ns", seen_ns)
    .add("waited_s", static_cast<double>(bench::mono_ns() - start) / 1e9)
    .print();
  return status;
}
