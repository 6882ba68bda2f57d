// SPDX-License-Identifier: MIT
// bench_sqlite_floor: the intake floor. Inserts `--rows` rows of `--row-bytes` bytes into a
// fresh WAL database, `--batch` rows per transaction, synchronous=FULL; prints rows/s as JSON.
#include "bench_common.hpp"

#include <CLI/CLI.hpp>
#include <sqlite3.h>

#include <filesystem>
#include <iostream>

namespace {

void check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::cerr << "bench_sqlite_floor: " << what << ": " << sqlite3_errmsg(db) << "\n";
    std::exit(1);
  }
}

} // namespace

int main(int argc, char** argv) {
  std::string path;
  std::int64_t rows = 200'000;
  std::int64_t batch = 100;
  std::size_t row_bytes = 200;
  CLI::App app{"Insert rows into a fresh WAL SQLite file with synchronous=FULL; print rows/s as JSON"};
  app.add_option("--db", path, "database file to create (must not exist)")->required();
  app.add_option("--rows", rows, "rows to insert")->check(CLI::PositiveNumber);
  app.add_option("--batch", batch, "rows per transaction")->check(CLI::PositiveNumber);
  app.add_option("--row-bytes", row_bytes, "payload bytes per row")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  if (std::filesystem::exists(path)) {
    std::cerr << "bench_sqlite_floor: " << path << " already exists\n";
    return 1;
  }

  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    std::cerr << "bench_sqlite_floor: cannot open " << path << ": " << sqlite3_errmsg(db) << "\n";
    return 1;
  }
  check(db, sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr), "journal_mode");
  check(db, sqlite3_exec(db, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr), "synchronous");
  check(db, sqlite3_exec(db, "CREATE TABLE rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)", nullptr, nullptr,
                         nullptr),
        "create table");
  sqlite3_stmt* insert = nullptr;
  check(db, sqlite3_prepare_v2(db, "INSERT INTO rows (payload) VALUES (?)", -1, &insert, nullptr), "prepare");
  std::string payload(row_bytes, 'x');

  std::int64_t start = bench::mono_ns();
  for (std::int64_t done = 0; done < rows;) {
    check(db, sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), "begin");
    for (std::int64_t i = 0; i < batch && done < rows; ++i, ++done) {
      // Vary the payload a little, as real records do.
      auto tag = std::to_string(done);
      payload.replace(0, tag.size(), tag);
      sqlite3_bind_text(insert, 1, payload.data(), static_cast<int>(payload.size()), SQLITE_TRANSIENT);
      check(db, sqlite3_step(insert), "insert");
      sqlite3_reset(insert);
    }
    check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
  }
  double seconds = static_cast<double>(bench::mono_ns() - start) / 1e9;
  sqlite3_finalize(insert);
  sqlite3_close(db);

  bench::JsonLine()
    .add("rows", rows)
    .add("batch", batch)
    .add("row_bytes", static_cast<std::int64_t>(row_bytes))
    .add("seconds", seconds)
    .add("rows_per_s", static_cast<double>(rows) / seconds)
    .print();
  return 0;
}
