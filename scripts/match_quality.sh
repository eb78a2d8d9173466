#!/usr/bin/env bash
# Regenerates the tables of docs/MATCH_QUALITY.md: the match-quality
# evaluation (bench/match_quality) on Debian's desktop background packages
# and tests/testdata, with edited images (made in memory by the tool) and
# edited videos (made here with ffmpeg in a temporary folder).
#
#   bash scripts/match_quality.sh [BUILD_DIR]     # default: build
#   bash scripts/match_quality.sh build --print   # tables to stdout only
#
# The videos and their manifest are made once into
# BUILD_DIR/match_quality_set and reused (delete that folder to remake
# them); the image list is made on every run.
#
# Needs build/bench/match_quality (ninja -C build match_quality) and ffmpeg;
# installs the wallpaper packages when they are missing (as root). Never
# uses scikit-image's sample images: they are kept for held-out evaluation.
# Takes a few minutes on 2 cores (niced).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
mode=${2:-write}
[[ $build = /* ]] || build=$here/$build
tool=$build/bench/match_quality
[[ -x $tool ]] || { echo "build $tool first (ninja -C $build match_quality)" >&2; exit 2; }

packages="desktop-base gnome-backgrounds mate-backgrounds sway-backgrounds plasma-workspace-wallpapers"
missing=""
for p in $packages; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [[ -n $missing ]]; then
  apt-get install -y --no-install-recommends $missing >&2
fi

work=$build/match_quality_set
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log() { echo "match_quality.sh: $(date -u +%H:%M:%S) $*" >&2; }

make_image_list() {

# --- the original images: one file per picture (the largest landscape
# rendering of each wallpaper; light/dark and logo/lock-screen variants of
# one design left out, so that unrelated pairs are unrelated).
rm -f "$list"
largest_of() {  # the WxH-named file with the most pixels, landscape first
  ls "$1" | grep -Ev '\.svg$' | awk -F'[x.]' '
    { w = $1 + 0; h = $2 + 0; key = (w >= h ? 1 : 0) * 1e12 + w * h
      if (key > best) { best = key; name = $0 } }
    END { if (name != "") print name }'
}
for dir in /usr/share/wallpapers/*/; do
  name=$(basename "$dir")
  case $name in *LockScreen*|*WithLogo*) continue ;; esac
  [[ $(readlink -f "$dir") = *desktop-base* ]] && continue
  [[ -d $dir/contents/images ]] || continue
  file=$(largest_of "$dir/contents/images")
  [[ -n $file ]] && echo "$dir/contents/images/$file" >> "$list"
done
ls /usr/share/backgrounds/gnome/*-l.webp | grep -v /vnc- >> "$list"
ls /usr/share/backgrounds/mate/*/*.jpg /usr/share/backgrounds/mate/*/*.png |
  grep -Ev '_[0-9]+x[0-9]+\.|-Dark\.|Ubuntu-Mate-(Dark|Radioactive|Warm)' >> "$list"
echo /usr/share/backgrounds/sway/Sway_Wallpaper_Blue_1920x1080.png >> "$list"
ls /usr/share/desktop-base/*-theme/grub/grub-16x9.png >> "$list"
for f in original.jpg c-rgba16.png exif-rotn-1.jpg pen-and-coaster.png wee.jpg \
         q0003.jpg q0004.jpg q0122.jpg q0291.jpg q0746.jpg q1050.jpg q2821.jpg; do
  echo "$here/tests/testdata/pdq/$f" >> "$list"
done
# One copy of identical files (some themes ship the same picture twice).
while read -r f; do echo "$(md5sum < "$f" | cut -c1-32) $f"; done < "$list" |
  awk '!seen[$1]++ { print $2 }' > "$list.unique"
mv "$list.unique" "$list"

}

# --- the videos: tests/testdata's distinct videos and slideshows of
# wallpapers, each with its edits.
make_videos() {
rm -rf "$work/videos" "$work/videos.tsv" "$work/edits.tsv" "$work/complete"
vid=$work/videos
mkdir -p "$vid"
manifest=$work/videos.tsv
ff() { nice -n 19 ffmpeg -nostdin -loglevel error -y "$@" -threads 1 \
         -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -an; }
duration() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }
size() { ffprobe -v error -select_streams v:0 -show_entries stream=width,height \
           -of csv=s=x:p=0 "$1"; }

slideshow() {  # OUT FIRST_LINE COUNT: 4 s per wallpaper, 640x360, 15 fps
  local out=$1 first=$2 count=$3 inputs=() filter="" i=0
  while read -r img; do
    # Scaled once: a looped input is decoded again for every frame.
    nice -n 19 ffmpeg -nostdin -loglevel error -y -i "$img" -frames:v 1 \
      -vf scale=640:360:force_original_aspect_ratio=increase,crop=640:360 \
      "$tmp/slide$i.png"
    inputs+=(-loop 1 -t 4 -framerate 15 -i "$tmp/slide$i.png")
    filter+="[$i:v]setsar=1,format=yuv420p[v$i];"
    i=$((i + 1))
  done < <(grep -Ev '\.webp$' "$list" | sed -n "${first},$((first + count - 1))p")
  for ((k = 0; k < i; k++)); do filter+="[v$k]"; done
  ff "${inputs[@]}" -filter_complex "${filter}concat=n=$i:v=1:a=0[out]" \
     -map '[out]' -r 15 "$out"
}

for s in 1 2 3 4; do
  slideshow "$vid/slideshow$s.mp4" $(( (s - 1) * 8 + 1 )) 8
  echo -e "original\tslideshow$s\t$vid/slideshow$s.mp4" >> "$manifest"
done
slideshow "$vid/filler.mp4" 33 4  # unbanked content around embeddings
for name in doorknob-hd-no-bar pattern-hd-no-bar chair-22-with-large-logo-bar \
            test-padded-dimensions; do
  cp "$here/tests/testdata/vpdq/$name.mp4" "$vid/$name.mp4"
  echo -e "original\t$name\t$vid/$name.mp4" >> "$manifest"
done
echo -e "edit\tpattern-hd-no-bar\ttestdata_grey_bar\t$here/tests/testdata/vpdq/pattern-sd-grey-bar.mp4" >> "$manifest"

while IFS=$'\t' read -r kind name path; do
  [[ $kind = original ]] || continue
  d=$(duration "$path"); wh=$(size "$path"); w=${wh%x*}; h=${wh#*x}
  echo -e "edit\t$name\tnone\t$path" >> "$work/edits.tsv"
  ff -i "$path" -vf "pad=iw:trunc(ih*4/3/2)*2:0:(oh-ih)/2:black" "$vid/$name.letterbox.mp4"
  echo -e "edit\t$name\tletterbox\t$vid/$name.letterbox.mp4" >> "$work/edits.tsv"
  ff -i "$path" -vf "pad=trunc(iw*5/4/2)*2:ih:(ow-iw)/2:0:color=0x306090" "$vid/$name.pillarbox.mp4"
  echo -e "edit\t$name\tpillarbox_colour\t$vid/$name.pillarbox.mp4" >> "$work/edits.tsv"
  ff -i "$path" -vf hflip "$vid/$name.mirror.mp4"
  echo -e "edit\t$name\tmirror\t$vid/$name.mirror.mp4" >> "$work/edits.tsv"
  if awk "BEGIN { exit !($d >= 15) }"; then
    ff -ss 10 -t 5 -i "$path" "$vid/$name.clip5.mp4"
    echo -e "edit\t$name\tclip_5s\t$vid/$name.clip5.mp4\t0\t5\t10\t15" >> "$work/edits.tsv"
  fi
  ff -i "$vid/filler.mp4" -i "$path" -filter_complex \
     "[0:v]scale=$w:$h,setsar=1,fps=30,format=yuv420p,split[f1][f2];
      [f1]trim=0:8,setpts=PTS-STARTPTS[a]; [f2]trim=8:16,setpts=PTS-STARTPTS[c];
      [1:v]setsar=1,fps=30,format=yuv420p[b]; [a][b][c]concat=n=3:v=1:a=0[out]" -map '[out]' "$vid/$name.embedded.mp4"
  end=$(awk "BEGIN { print 8 + $d }")
  echo -e "edit\t$name\tembedded\t$vid/$name.embedded.mp4\t8\t$end\t0\t$d" >> "$work/edits.tsv"
done < "$manifest"
cat "$work/edits.tsv" >> "$manifest"
touch "$work/complete"
}

mkdir -p "$work"
list=$work/images.txt
manifest=$work/videos.tsv
make_image_list
if [[ ! -f $work/complete ]]; then
  log "making the videos in $work"
  make_videos
fi
log "evaluating"
tables=$tmp/tables.md
nice -n 19 "$tool" --images="$list" --videos="$manifest" > "$tables"
log "done"

if [[ $mode = --print ]]; then cat "$tables"; exit 0; fi
doc=$here/docs/MATCH_QUALITY.md
begin='<!-- generated by scripts/match_quality.sh: begin -->'
end='<!-- generated by scripts/match_quality.sh: end -->'
grep -qF "$begin" "$doc" || { echo "$doc has no generated section" >&2; exit 1; }
{
  awk -v b="$begin" '{ print } $0 == b { exit }' "$doc"
  echo "Generated $(date -u '+%Y-%m-%d %H:%M UTC') at commit $(git -C "$here" rev-parse --short HEAD)."
  echo
  cat "$tables"
  awk -v e="$end" '$0 == e { f = 1 } f { print }' "$doc"
} > "$tmp/doc.md"
cp "$tmp/doc.md" "$doc"
echo "wrote $doc" >&2
