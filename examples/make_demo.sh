#!/usr/bin/env bash
# Regenerates the demo shipped in examples/: two synthetic images rendered by
# ffmpeg's lavfi sources (no third-party photos), a rotated copy of one, and
# a signed demo feed holding the PDQ hash and MD5 of demo-match.jpg, made
# with `clearmatch feed publish`. The signing key is generated in a temporary
# directory and thrown away: only its public half is kept
# (demo-feed.pub.pem), so the demo feed can never be extended by anyone.
#
#   bash examples/make_demo.sh [path/to/clearmatch]   (default build/cli/clearmatch)
set -euo pipefail
cd "$(dirname "$0")"
CLEARMATCH=${1:-../build/cli/clearmatch}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

render() {  # render OUT LAVFI_SOURCE [FILTER]
  ffmpeg -v error -y -f lavfi -i "$2" ${3:+-vf "$3"} -frames:v 1 -q:v 3 "$1"
}
render demo-match.jpg "mandelbrot=size=640x480:start_scale=2:end_scale=2"
render demo-match-rot90.jpg "mandelbrot=size=640x480:start_scale=2:end_scale=2" "transpose=clock"
render demo-other.jpg "testsrc2=size=640x480:rate=1"

# hash_type,hash,entry_id,bank,category
"$CLEARMATCH" hash --json demo-match.jpg > "$work/hash.json"
python3 - "$work/hash.json" > "$work/add.csv" <<'PY'
import json, sys
h = json.loads(open(sys.argv[1]).readline())
print(f"pdq,{h['pdq']},demo-1-pdq,demo,demo")
print(f"md5,{h['md5']},demo-1-md5,demo,demo")
PY

"$CLEARMATCH" feed keygen --out "$work/key" >/dev/null
rm -rf demo-feed
"$CLEARMATCH" feed publish --key "$work/key/private.pem" --feed-dir demo-feed \
  --feed-id clearmatch-demo --add "$work/add.csv" --expires-in 3650d
cp "$work/key/public.pem" demo-feed.pub.pem
echo "examples: demo images, demo-feed/ and demo-feed.pub.pem regenerated"
