#!/usr/bin/env bash
# Sets up, builds and runs every test, in stages, each timed:
#   main   RelWithDebInfo with -Werror, clang-format check, every test (./build)
#   asan   AddressSanitizer + UndefinedBehaviorSanitizer, every test (./build-asan)
#   tsan   ThreadSanitizer, the concurrency tests (./build-tsan)
#   fuzz   the libFuzzer targets with clang (./build-fuzz): every regression
#          input, then each target for FUZZ_SECONDS (20) s (docs/FUZZING.md)
#   deploy deploy/check.sh: the systemd unit (systemd-analyze verify and
#          security) and the Kubernetes manifests (kustomize, API schemas)
#   browser  the reviewers' page in headless Chromium against a real
#          clearmatchd of ./build (webui/test/, docs/REVIEW.md "Web page")
# STAGES="main asan" runs only some. Needs nothing beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
STAGES=${STAGES:-main browser asan tsan fuzz deploy}
JOBS=$(nproc)

# The tests that exercise threads: index hot swap and the IndexManager's
# sync thread, worker pool and review
# service, the review store's writer queue, the feed syncer, and the daemon
# (matcher service) as a real process.
TSAN_TARGETS=(index_holder_test daemon_test review_test feed_test serving_test
              clearinghouse_test ncmec_source_test stopncii_source_test
              feedback_dispatcher_test daemon_integration_test clearmatchd
              sandbox_test clearmatch-decoder clearmatch-decoder-faults)
# The Python client's grpcio would load the TSan Abseil without the TSan
# runtime: it tests the wire format, which the main stage covers.
# Under TSan a crashing decoder runs TSan's signal handler, which the seccomp
# filter kills (SIGSYS): the two tests that tell a crash from a sandbox kill
# run in the main and ASan stages only.
TSAN_EXCLUDED='PythonClientIsWireCompatible|ACrashCostsOneDecodeAndTheProcessIsReplaced|EveryAbnormalEndIsNamedAndTheProcessIsGone'
TSAN_TESTS='IndexHolder|IndexManager|WorkerPool|ReviewService|ReviewStore|RecordWriter|FullReviewQueue|FeedSyncer|DaemonTest|DaemonFeedTest|DaemonOverloadTest|ClearinghouseStore|NcmecIndexSource|NcmecFault|StopNcii|FeedbackDispatcher|DecoderPool|DecoderProcess|UploadWatchdog'

# Compilations are cached (ccache, keyed by paths relative to the checkout,
# so that every clone shares the cache): a run after a small change rebuilds
# little. With -g ccache would also key on the build's directory (it is in
# the debug info) unless told not to: then no other clone would ever hit.
LAUNCHER=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true
  LAUNCHER=(-DCMAKE_C_COMPILER_LAUNCHER=ccache
            -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

# gold links the ~50 test binaries faster than the default linker (binutils
# has both).
LINKER=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=gold
        -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=gold
        -DCMAKE_MODULE_LINKER_FLAGS=-fuse-ld=gold)
# The sanitizer builds keep line tables only (-g1): their reports still name
# file and line, and a cold build compiles and links much less debug info.
SANITIZER_FLAGS=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
                 "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")

configure() {  # configure DIR [CMAKE ARGS...]
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja -DCLEARMATCH_WERROR=ON "${LAUNCHER[@]}" \
    "${LINKER[@]}" "$@" >/dev/null
}

run_tests() {  # run_tests DIR [CTEST ARGS...]
  local dir=$1
  shift
  ctest --test-dir "$dir" --output-on-failure -j"$JOBS" --timeout 600 "$@"
}

stage_main() {
  configure build -DCMAKE_BUILD_TYPE=RelWithDebInfo
  cmake --build build -j"$JOBS"
  bash scripts/check_format.sh
  run_tests build
}

stage_asan() {
  configure build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo "${SANITIZER_FLAGS[@]}" \
    -DCLEARMATCH_SANITIZE=address -DCLEARMATCH_BUILD_BENCH=OFF
  cmake --build build-asan -j"$JOBS"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1 \
    LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_tests build-asan
}

stage_tsan() {
  # Debian's Abseil, rebuilt with TSan, so absl::Mutex is visible to it.
  bash scripts/build_tsan_abseil.sh build-tsan/abseil
  configure build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo "${SANITIZER_FLAGS[@]}" \
    -DCLEARMATCH_SANITIZE=thread -DCLEARMATCH_BUILD_BENCH=OFF
  cmake --build build-tsan -j"$JOBS" --target "${TSAN_TARGETS[@]}"
  LD_LIBRARY_PATH=$PWD/build-tsan/abseil/lib \
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/sanitizers/tsan.supp \
    run_tests build-tsan -R "$TSAN_TESTS" -E "$TSAN_EXCLUDED"
}

stage_browser() {
  # The binaries the test starts (after stage main: nothing to build).
  configure build -DCMAKE_BUILD_TYPE=RelWithDebInfo
  cmake --build build -j"$JOBS" --target clearmatchd clearmatch \
    clearmatch-decoder clearmatch_video clearmatch_cli_commands
  (cd webui && CLEARMATCH_BUILD_DIR=$PWD/../build \
     node --test --test-reporter=spec test/review_page.test.mjs)
}

stage_fuzz() {
  # Builds only what the targets link, without debug info (scripts/fuzz.sh).
  bash scripts/fuzz.sh --seconds "${FUZZ_SECONDS:-20}"
}

stage_deploy() {
  # Offline, seconds: no build, cluster or container runtime needed.
  bash deploy/check.sh
}

bash scripts/install_deps.sh
for stage in $STAGES; do
  start=$(date +%s)
  echo "=== test.sh: stage $stage"
  "stage_$stage"
  echo "=== test.sh: stage $stage passed in $(($(date +%s) - start)) s"
done
