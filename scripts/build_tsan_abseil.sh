#!/usr/bin/env bash
# Builds Debian's own Abseil (the installed version, from its Debian source
# package) with ThreadSanitizer into DIR (default build-tsan/abseil), once.
# Why: Debian's libabsl is not instrumented, so TSan cannot see absl::Mutex
# lock and unlock (in clearmatch, gRPC and protobuf alike) and reports every
# access they protect as a race. The TSan tests run with these libraries
# first on LD_LIBRARY_PATH: same version, same SONAMEs, same headers.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=$(realpath -m "${1:-build-tsan/abseil}")
version=$(dpkg-query -W -f='${Version}' libabsl-dev)
if [ -f "$DIR/.built-$version" ]; then
  echo "build_tsan_abseil: abseil $version already built in $DIR"
  exit 0
fi

# Source packages come from the same archives as the installed binaries.
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ &&
   ! grep -qs '^deb-src' /etc/apt/sources.list; then
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
    > /etc/apt/sources.list.d/clearmatch-deb-src.sources
  apt-get update -q >/dev/null
fi
dpkg-query -W dpkg-dev >/dev/null 2>&1 ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q dpkg-dev >/dev/null

rm -rf "$DIR" && mkdir -p "$DIR/src"
(cd "$DIR/src" && apt-get source -q "abseil=$version" >/dev/null 2>&1)
src=$(find "$DIR/src" -maxdepth 1 -type d -name 'abseil-*' | head -1)
# Through ccache when it is there (as test.sh): a clean clone's rebuild of the
# same sources hits the cache.
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache
            -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$src" -B "$DIR/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
  -DCMAKE_CXX_STANDARD=17 -DBUILD_SHARED_LIBS=ON -DBUILD_TESTING=OFF \
  -DCMAKE_CXX_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread \
  -DCMAKE_INSTALL_PREFIX="$DIR" -DCMAKE_INSTALL_LIBDIR=lib >/dev/null
cmake --build "$DIR/build" -j"$(nproc)" >/dev/null
cmake --install "$DIR/build" >/dev/null
rm -rf "$DIR/src" "$DIR/build"
touch "$DIR/.built-$version"
echo "build_tsan_abseil: abseil $version built with TSan in $DIR"
