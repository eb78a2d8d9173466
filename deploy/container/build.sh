#!/usr/bin/env bash
# Builds the clearmatchd container image from Debian 12 packages only and
# smoke-tests it (docs/OPERATIONS.md, "Container"):
#   1. the base image: mmdebstrap (minbase + ca-certificates) -> podman import
#      as $BASE_IMAGE (made once; BASE_REBUILD=1 makes it again);
#   2. podman build --isolation=chroot of deploy/container/Containerfile, the
#      host's ccache mounted at /ccache, niced and under the project's build
#      lock (never two compiles at once on a shared machine);
#   3. the smoke test (SMOKE=0 skips it): `clearmatchd --version`, then the
#      image's own entrypoint and config with a read-only root and a volume,
#      `clearmatch health` and a demo Check (BLOCK / ALLOW) through
#      `podman run` + `podman exec`; where podman cannot run containers on
#      the machine, the same commands by chroot into the mounted image.
# Usage: deploy/container/build.sh [TAG]   (default: the project's version)
# Needs: podman, mmdebstrap, runc or crun (root).
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=$(sed -n 's/^project(clearmatch VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
TAG=${1:-$VERSION}
IMAGE=localhost/clearmatch:$TAG
BASE_IMAGE=${BASE_IMAGE:-localhost/clearmatch-base:bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
CCACHE_HOST_DIR=${CCACHE_HOST_DIR:-$(ccache -k cache_dir 2>/dev/null || echo "$HOME/.cache/ccache")}
BUILD_LOCK=${BUILD_LOCK:-/tmp/clearmatch-build.lock}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

log() { echo "build.sh: $*" >&2; }

make_base() {
  if [ "${BASE_REBUILD:-0}" != 1 ] && podman image exists "$BASE_IMAGE"; then
    log "base image $BASE_IMAGE present"
    return
  fi
  log "mmdebstrap bookworm -> $BASE_IMAGE"
  nice -n 10 mmdebstrap --variant=minbase --include=ca-certificates \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    bookworm "$WORK/base.tar" "$MIRROR"
  podman import --change 'CMD ["/bin/bash"]' "$WORK/base.tar" "$BASE_IMAGE"
}

build_image() {
  mkdir -p "$CCACHE_HOST_DIR"
  # The toolchain layer first, outside the lock (downloads, no compiling).
  log "podman build --target deps"
  nice -n 10 podman build --isolation=chroot --build-arg BASE="$BASE_IMAGE" \
    -f deploy/container/Containerfile --target deps -t localhost/clearmatch-deps:bookworm .
  log "podman build $IMAGE (ccache: $CCACHE_HOST_DIR)"
  flock "$BUILD_LOCK" nice -n 10 podman build --isolation=chroot \
    --build-arg BASE="$BASE_IMAGE" -v "$CCACHE_HOST_DIR:/ccache" \
    -f deploy/container/Containerfile -t "$IMAGE" .
}

# podman run needs rlimits within the caller's hard limits (its defaults for
# root are higher) and a runtime that copes with the machine's cgroups.
RUN_ARGS=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
pick_runtime() {
  for runtime in crun runc; do
    command -v "$runtime" >/dev/null || continue
    if podman --runtime "$runtime" run --rm "${RUN_ARGS[@]}" \
         --entrypoint /bin/true "$IMAGE" >/dev/null 2>&1; then
      echo "$runtime"
      return
    fi
  done
}

# The demo Check's expected lines (docs/DAEMON.md, "Running it").
expect_demo_verdicts() {  # expect_demo_verdicts OUTPUT
  grep -q '^BLOCK .*demo-match.jpg' <<<"$1" &&
    grep -q '^ALLOW .*demo-other.jpg' <<<"$1"
}

smoke_podman() {  # smoke_podman RUNTIME
  local podman=(podman --runtime "$1") name=clearmatch-smoke-$$
  local volume=clearmatch-smoke-$$ demo=/usr/share/clearmatch/examples
  "${podman[@]}" run --rm "${RUN_ARGS[@]}" --read-only "$IMAGE" --version
  "${podman[@]}" volume create "$volume" >/dev/null
  "${podman[@]}" run -d --name "$name" "${RUN_ARGS[@]}" --read-only \
    --cap-drop=all --security-opt=no-new-privileges \
    -v "$volume:/var/lib/clearmatch" "$IMAGE" >/dev/null
  local ok=0
  for _ in $(seq 60); do
    if "${podman[@]}" exec "$name" clearmatch health --timeout-ms 1000 \
         >/dev/null 2>&1; then
      ok=1
      break
    fi
    sleep 1
  done
  local out=""
  if [ "$ok" = 1 ]; then
    out=$("${podman[@]}" exec "$name" clearmatch check \
            "$demo/demo-match.jpg" "$demo/demo-other.jpg" || true)
    echo "$out"
    "${podman[@]}" exec "$name" sh -c 'id -u; ls -ln /var/lib/clearmatch'
  fi
  "${podman[@]}" logs "$name" 2>&1 | tail -n 20 >&2
  "${podman[@]}" rm -f -t 10 "$name" >/dev/null
  "${podman[@]}" volume rm -f "$volume" >/dev/null
  [ "$ok" = 1 ] && expect_demo_verdicts "$out"
}

smoke_chroot() {
  local root pid out ok=0
  root=$(podman image mount "$IMAGE")
  local state=$WORK/state
  install -d -o 10001 -g 10001 -m 0700 "$state"
  chroot --userspec=10001:10001 "$root" /usr/bin/clearmatchd --version
  mount --bind "$state" "$root/var/lib/clearmatch"
  chroot --userspec=10001:10001 "$root" /usr/bin/clearmatchd \
    --config /etc/clearmatch/clearmatchd.textproto &
  pid=$!
  for _ in $(seq 60); do
    if chroot --userspec=10001:10001 "$root" clearmatch health \
         --timeout-ms 1000 >/dev/null 2>&1; then
      ok=1
      break
    fi
    sleep 1
  done
  if [ "$ok" = 1 ]; then
    out=$(chroot --userspec=10001:10001 "$root" clearmatch check \
            /usr/share/clearmatch/examples/demo-match.jpg \
            /usr/share/clearmatch/examples/demo-other.jpg || true)
    echo "$out"
  fi
  kill "$pid"
  wait "$pid" || true
  umount "$root/var/lib/clearmatch"
  podman image unmount "$IMAGE" >/dev/null
  [ "$ok" = 1 ] && expect_demo_verdicts "$out"
}

smoke_test() {
  local runtime
  runtime=$(pick_runtime)
  if [ -n "$runtime" ]; then
    log "smoke test through podman run (runtime $runtime)"
    smoke_podman "$runtime"
  else
    log "podman cannot run containers here: smoke test by chroot into the mounted image"
    smoke_chroot
  fi
  log "smoke test passed: $IMAGE"
}

make_base
build_image
[ "${SMOKE:-1}" = 0 ] || smoke_test
podman image ls "$IMAGE"
