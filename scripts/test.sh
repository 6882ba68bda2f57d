#!/usr/bin/env bash
# Usage: scripts/test.sh [--quick]
# Installs what is missing, builds, and runs every test: the normal build, then the whole suite
# again under ASan+UBSan and under TSan, then each fuzz target for a bounded time, then the
# optimised build that quickstart.sh installs (GCC warns differently at -O2, and -Werror is on),
# made as the Debian package, which is then installed, used and purged.
# --quick skips all but the first.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
quick=0
if [ "${1:-}" = "--quick" ]; then
  quick=1
fi
jobs=$(nproc)
fuzz_seconds=${EVENTMGR_FUZZ_SECONDS:-30}

scripts/setup.sh

echo "== build (Debug, -Werror)"
cmake -S . -B build/debug -DCMAKE_BUILD_TYPE=Debug -DEVENTMGR_WERROR=ON >/dev/null
cmake --build build/debug -j"$jobs"
echo "== tests"
ctest --test-dir build/debug --output-on-failure -j"$jobs"
echo "web screenshots (1280x800 and 390x844): build/debug/web-screenshots/"

if [ "$quick" -eq 1 ]; then
  exit 0
fi

# One clang build serves the sanitizer run and the fuzz targets (libFuzzer needs clang).
echo "== build (clang, ASan+UBSan, fuzz targets)"
CC=clang-14 CXX=clang++-14 cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug \
  -DEVENTMGR_ASAN=ON -DEVENTMGR_UBSAN=ON -DEVENTMGR_FUZZ=ON -DEVENTMGR_WERROR=ON >/dev/null
cmake --build build/asan -j"$jobs"
echo "== tests under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j"$jobs"

# The launcher's lanes are threads: the suite again under ThreadSanitizer (halt_on_error makes a
# report fail the test: a daemon that stops on one fails its integration test).
echo "== build (clang, TSan)"
CC=clang-14 CXX=clang++-14 cmake -S . -B build/tsan -DCMAKE_BUILD_TYPE=Debug -DEVENTMGR_TSAN=ON -DEVENTMGR_WERROR=ON >/dev/null
cmake --build build/tsan -j"$jobs" --target unit_tests eventmgrd eventmgr eventmgr-web event_handler man_pages
echo "== tests under TSan"
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ctest --test-dir build/tsan --output-on-failure -j"$jobs"

echo "== fuzz targets (${fuzz_seconds}s each)"
for src in tests/fuzz/fuzz_*.cpp; do
  name=$(basename "$src" .cpp)
  corpus="tests/fuzz/corpus/${name#fuzz_}"
  work=$(mktemp -d)
  cp -r "$corpus"/. "$work"/ 2>/dev/null || true
  echo "-- $name"
  log="build/asan/$name.log"
  if ! build/asan/tests/"$name" -max_total_time="$fuzz_seconds" -max_len=8192 -print_final_stats=1 \
    -artifact_prefix="build/asan/$name-" "$work" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "$name failed: the input is in build/asan/$name-*; keep it under $corpus as a regression input" >&2
    exit 1
  fi
  tail -n 3 "$log"
  rm -rf "$work"
done

# The optimised build is the Debian package's: quickstart.sh's options (Release, no tests) with
# -Werror, plus the package's hardening flags, compiled once for both (-g left out: it only
# slows the compiler here). Then lintian, and the package installed, used and purged.
echo "== build (Release, -Werror, as quickstart.sh builds it) as the Debian package"
EVENTMGR_DEB_CMAKE_ARGS="-DCMAKE_BUILD_TYPE=Release -DEVENTMGR_WERROR=ON" DEB_CXXFLAGS_STRIP=-g \
  DEB_BUILD_OPTIONS="nocheck noddebs parallel=$jobs" scripts/package.sh build/package
echo "== the package installed: version, check, a round trip, remove, purge"
if [ "$(id -u)" -eq 0 ]; then
  tests/package/test_installed_package.sh build/package/eventmgr_*.deb
else
  echo "skipped: dpkg -i needs root"
fi
echo "== all tests passed"
