#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of clearmatch from
# Debian 12 packages. Idempotent: safe to run again; does nothing new when all
# packages are present. Must run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang-format ccache
  libabsl-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libfaiss-dev libopenblas-dev
  libjpeg62-turbo-dev libpng-dev libwebp-dev libgif-dev zlib1g-dev
  libopencv-dev  # tests only: the decoders' pixel oracle
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
  libssl-dev libsqlite3-dev libcurl4-openssl-dev
  libpugixml-dev nlohmann-json3-dev  # clearinghouse parsers
  libcpp-httplib-dev  # the web listener (web/), metrics HTTP, the clearinghouse test servers
  libseccomp-dev  # the decoder sandbox
  libpq-dev postgresql-15  # the PostgreSQL review store; tests: a throwaway server
  clang libclang-rt-14-dev  # fuzzing (libFuzzer)
  libgtest-dev libgmock-dev libbenchmark-dev
  ffmpeg python3 python3-grpcio python3-protobuf
  systemd  # systemd-analyze: test.sh stage deploy checks deploy/systemd
  nodejs  # the reviewers' page (webui/): TypeScript build, browser tests
  chromium  # tests only: the reviewers' page in headless Chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm (webui/): Debian's, unless the nodejs installed brings its own.
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages present"
  # The reviewers' page's npm packages (webui/package-lock.json).
  exec bash "$(dirname "$0")/build_webui.sh" --install
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
bash "$(dirname "$0")/build_webui.sh" --install
