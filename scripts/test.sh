#!/usr/bin/env bash
# Sets up, builds and runs every test. Needs ../shared/testdata beside the
# checkout (or CLEARMATCH_TESTDATA pointing at it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
bash scripts/check_format.sh
BUILD_DIR=${BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout 300
