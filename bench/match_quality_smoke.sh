#!/bin/sh
# Smoke test of bench/match_quality (ctest match_quality_smoke): three
# photos of tests/testdata and one video, every edit, two review distances.
# Each original must find itself (the "none" edit: 100%), and the report
# must have its tables.
set -eu
tool=$1
testdata=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in original.jpg pen-and-coaster.png c-rgba16.png; do
  echo "$testdata/pdq/$f"
done > "$work/images.txt"
video=$testdata/vpdq/doorknob-hd-no-bar.mp4
printf 'original\tdoorknob\t%s\nedit\tdoorknob\tnone\t%s\n' "$video" "$video" \
  > "$work/videos.tsv"
"$tool" --images="$work/images.txt" --videos="$work/videos.tsv" \
  --radii=31,40 > "$work/report.md"
fail() { echo "match_quality_smoke: $*" >&2; cat "$work/report.md" >&2; exit 1; }
grep -q '^### Images: 3 originals, 15 edits each, 45 queries' "$work/report.md" ||
  fail "image set not evaluated"
grep -q '^| none | 3 | .* | 100.0% |' "$work/report.md" ||
  fail "an original did not match itself"
grep -q '^| none | 1 | 1 | 0 | 0 | 100.0% |' "$work/report.md" ||
  fail "the video did not match itself (BLOCK)"
grep -q '^| 40 | [0-9]* of 90 |' "$work/report.md" ||
  fail "no unrelated-pairs row for review_distance 40 (3 x 15 x 2 pairs)"
echo "match_quality_smoke: ok"
