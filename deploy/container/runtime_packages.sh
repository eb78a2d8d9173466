#!/usr/bin/env bash
# runtime_packages.sh ELF...: the Debian packages (one a line, sorted) that
# hold the shared libraries the given binaries and modules load (ldd), for
# the runtime stage of the Containerfile. Fails on a library that no
# package holds (a build that linked something outside Debian).
set -euo pipefail
libs=$(ldd "$@" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' |
         sort -u)
for lib in $libs; do
  real=$(readlink -f "$lib")
  pkg=""
  for path in "$lib" "$real" "${lib#/usr}" "${real#/usr}" "/usr$lib" \
              "/usr$real"; do
    if pkg=$(dpkg-query -S "$path" 2>/dev/null); then
      break
    fi
  done
  if [ -z "$pkg" ]; then
    echo "runtime_packages: no package holds $lib" >&2
    exit 1
  fi
  echo "${pkg%%:*}"
done | sort -u
