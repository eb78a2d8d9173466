#!/usr/bin/env bash
# Sets up, builds, and runs the main job. Until the daemon exists: hashes the
# sample images given (default: two reference photos) and prints JSON lines.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
if [ $# -eq 0 ]; then
  set -- ../shared/testdata/pdq/bridge-1-original.jpg ../shared/testdata/pdq/bridge-2-rotate-90.jpg
fi
exec "$BUILD_DIR/cli/clearmatch" hash --json --dihedral "$@"
