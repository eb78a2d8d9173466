#!/usr/bin/env bash
# Builds the reviewers' page (webui/: TypeScript -> JavaScript, plus its
# static files) into OUT_DIR (default webui/dist). Installs webui's npm
# packages first when node_modules is missing or older than the lockfile
# (npm ci: exactly the locked versions). Run by the README's setup
# (scripts/install_deps.sh) and by the CMake build (webui/CMakeLists.txt).
#   bash scripts/build_webui.sh [OUT_DIR]   build the page
#   bash scripts/build_webui.sh --install   only install the npm packages
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/webui/dist}
cd "$root/webui"
for tool in node npm; do
  command -v "$tool" >/dev/null || {
    echo "build_webui: $tool is missing: run scripts/install_deps.sh" >&2
    exit 1
  }
done
# Several builds (build, build-asan...) share node_modules: one npm ci.
exec 9>"$root/webui/.npm-ci.lock"
flock 9
if [ ! -f node_modules/.package-lock.json ] ||
   [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "build_webui: npm ci in webui/"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
[ "$out" != "--install" ] || exit 0
rm -rf "$out.tmp"
node node_modules/typescript/bin/tsc -p tsconfig.json --outDir "$out.tmp"
node tools/copy_static.mjs "$out.tmp"
rm -rf "$out"
mv "$out.tmp" "$out"
