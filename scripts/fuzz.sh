#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, docs/FUZZING.md) with clang in
# ./build-fuzz (ASan + UBSan, no debug info, only the libraries the targets
# link), then for each target given (default: every one):
#   1. runs each input of fuzz/regressions/<target>/ once (every crash found
#      so far must stay fixed);
#   2. fuzzes it for --seconds N from its seeds: fuzz/corpus/<target>/ plus
#      the files of tests/testdata and examples/ that fit it, copied into a
#      temporary corpus directory at run time (the checkout is never written).
# Stops at the first crash (exit 1) and prints where the crash input went.
#
#   scripts/fuzz.sh [--seconds N] [--regressions-only] [--no-build] [TARGET...]
#   scripts/fuzz.sh --list
#
# Targets are named by their fuzz/<name>_fuzzer.cc: image_decode,
# video_sample, ... FUZZ_BUILD_DIR (default build-fuzz) and FUZZ_OUT (default
# $FUZZ_BUILD_DIR/fuzz-out: crash inputs, logs) move the output.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
OUT=${FUZZ_OUT:-$BUILD/fuzz-out}
SECONDS_PER_TARGET=60
REGRESSIONS_ONLY=0
BUILD_FIRST=1
TARGETS=()

all_targets() {
  local file
  for file in fuzz/*_fuzzer.cc; do
    file=${file#fuzz/}
    echo "${file%_fuzzer.cc}"
  done
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds) SECONDS_PER_TARGET=$2; shift 2 ;;
    --regressions-only) REGRESSIONS_ONLY=1; shift ;;
    --no-build) BUILD_FIRST=0; shift ;;
    --list) all_targets; exit 0 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
if [[ ${#TARGETS[@]} -eq 0 ]]; then
  mapfile -t TARGETS < <(all_targets)
fi
for target in "${TARGETS[@]}"; do
  if [[ ! -f fuzz/${target}_fuzzer.cc ]]; then
    echo "fuzz.sh: no target '$target' (fuzz.sh --list)" >&2
    exit 2
  fi
done

build() {
  # Through ccache when it is there, keyed by paths relative to the checkout.
  local launcher=()
  if command -v ccache >/dev/null; then
    export CCACHE_BASEDIR=$PWD
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache
              -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  # -O1 without -DNDEBUG (asserts stay on) and without -g (a smaller, faster
  # build; ASan still names the functions of a crash).
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-O1 \
    -DCLEARMATCH_FUZZ=ON -DCLEARMATCH_WERROR=ON \
    -DCLEARMATCH_BUILD_TESTS=OFF -DCLEARMATCH_BUILD_BENCH=OFF \
    >/dev/null
  local binaries=()
  for target in "${TARGETS[@]}"; do binaries+=("${target}_fuzzer"); done
  cmake --build "$BUILD" -j"$(nproc)" --target "${binaries[@]}"
}

# seed_files TARGET: files of the checkout that make good seeds for it.
seed_files() {
  case $1 in
    image_decode)
      find tests/testdata/pdq examples -maxdepth 1 -size -64k \
        \( -name '*.jpg' -o -name '*.png' -o -name '*.webp' -o -name '*.gif' \) ;;
    video_sample) find tests/testdata/vpdq -maxdepth 1 -name '*.mp4' -size -64k ;;
    feed_manifest) echo examples/demo-feed/manifest.pb ;;
    feed_records) find examples/demo-feed -name '*.delta' ;;
  esac
}

# The sanitizers stop at the first error; leaks count (LeakSanitizer).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_regressions() {  # run_regressions TARGET
  local binary=$BUILD/fuzz/$1_fuzzer dir=fuzz/regressions/$1
  local inputs=()
  [[ -d $dir ]] && mapfile -t inputs < <(find "$dir" -type f | sort)
  [[ ${#inputs[@]} -eq 0 ]] && return 0
  echo "=== fuzz.sh: $1: ${#inputs[@]} regression inputs"
  if ! "$binary" -runs=1 "${inputs[@]}" >"$OUT/$1.regressions.log" 2>&1; then
    tail -n 60 "$OUT/$1.regressions.log"
    echo "fuzz.sh: $1 crashed on a regression input of $dir" \
         "(log: $OUT/$1.regressions.log)" >&2
    return 1
  fi
}

fuzz_target() {  # fuzz_target TARGET
  local binary=$BUILD/fuzz/$1_fuzzer artifacts=$OUT/$1/
  local corpus
  corpus=$(mktemp -d "${TMPDIR:-/tmp}/clearmatch-fuzz-$1.XXXXXX")
  [[ -d fuzz/corpus/$1 ]] && cp fuzz/corpus/"$1"/* "$corpus"/ 2>/dev/null || true
  seed_files "$1" | while read -r file; do cp "$file" "$corpus"/; done
  mkdir -p "$artifacts"
  echo "=== fuzz.sh: $1: $SECONDS_PER_TARGET s from $(ls "$corpus" | wc -l) seeds"
  local status=0
  "$binary" -max_total_time="$SECONDS_PER_TARGET" -timeout=25 \
    -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$artifacts" \
    "$corpus" >"$OUT/$1.log" 2>&1 || status=$?
  rm -rf "$corpus"
  grep -E '^#[0-9]+[[:space:]]+DONE|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
    "$OUT/$1.log" || true
  if [[ $status -ne 0 ]]; then
    tail -n 60 "$OUT/$1.log"
    echo "fuzz.sh: $1 crashed; input: $(ls -t "$artifacts" | head -n 1 |
      sed "s|^|$artifacts|") (log: $OUT/$1.log). Add it to" \
      "fuzz/regressions/$1/ with the fix (docs/FUZZING.md)." >&2
    return 1
  fi
}

[[ $BUILD_FIRST -eq 1 ]] && build
mkdir -p "$OUT"
for target in "${TARGETS[@]}"; do
  run_regressions "$target"
done
[[ $REGRESSIONS_ONLY -eq 1 ]] && exit 0
for target in "${TARGETS[@]}"; do
  fuzz_target "$target"
done
echo "=== fuzz.sh: ${#TARGETS[@]} targets, no crash"
