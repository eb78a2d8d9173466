#!/usr/bin/env bash
# Sets up, builds, and starts the daemon on its embedded default: gRPC on
# 127.0.0.1:50051, state in ./var/clearmatch, the signed demo feed of
# examples/ (docs/DAEMON.md). Arguments are passed to clearmatchd.
# Then, from another shell:
#   build/cli/clearmatch check examples/demo-match.jpg examples/demo-other.jpg
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
exec "$BUILD_DIR/daemon/clearmatchd" "$@"
