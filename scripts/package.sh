#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: scripts/package.sh [OUT_DIR]
# Builds the Debian package eventmgr_VERSION_ARCH.deb the Debian way (dpkg-buildpackage -b,
# debian/rules with debhelper's CMake support) from a copy of the checkout's files in
# OUT_DIR/src (default OUT_DIR: build/package), then runs lintian on it: an error fails, the
# warnings are printed. Prints the path of the .deb last.
# DEB_BUILD_OPTIONS defaults to "nocheck parallel=$(nproc)" (the tests are test.sh's); a
# CMAKE_CXX_COMPILER_LAUNCHER=ccache in the environment reaches the build.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$(realpath -m "${1:-build/package}")

scripts/setup.sh

# The package's version is the project's: debian/changelog must say the same.
version=$(sed -n 's/^project(eventmgr VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
changelog_version=$(dpkg-parsechangelog -l debian/changelog -S Version)
if [ "$version" != "$changelog_version" ]; then
  echo "package.sh: CMakeLists.txt says version $version, debian/changelog $changelog_version:" \
    "add a debian/changelog entry (dch -v $version)" >&2
  exit 1
fi
arch=$(dpkg-architecture -q DEB_HOST_ARCH)

# A copy of the files git knows (committed or not, ignored ones left out), so the build
# neither sees build/ nor writes next to the checkout (dpkg-buildpackage puts the .deb in ..).
src=$out/src/eventmgr-$version
rm -rf "$out/src"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done |
    tar --null -T - -cf - | tar -xf - -C "$src"
else
  tar --exclude=./build -cf - . | tar -xf - -C "$src"
fi

echo "== dpkg-buildpackage (eventmgr $version, $arch)"
(
  cd "$src"
  export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-nocheck parallel=$(nproc)}
  dpkg-buildpackage -us -uc -b
) >"$out/build.log" 2>&1 || {
  tail -n 60 "$out/build.log" >&2
  echo "package.sh: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
  exit 1
}
deb=$out/src/eventmgr_${version}_${arch}.deb
changes=$out/src/eventmgr_${version}_${arch}.changes
[ -f "$deb" ] || { echo "package.sh: no $deb after the build" >&2; exit 1; }
mv "$deb" "$changes" "$out/"
deb=$out/eventmgr_${version}_${arch}.deb

# lintian: no error (warnings stay listed; README "Install the package" says why each stays).
echo "== lintian"
lintian --fail-on error --display-level '>=warning' --tag-display-limit 0 "$deb" | tee "$out/lintian.log" || {
  echo "package.sh: lintian reports errors (above)" >&2
  exit 1
}
echo "$deb"
