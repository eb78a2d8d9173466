#!/usr/bin/env bash
# Offline checks of deploy/ (scripts/test.sh, stage deploy; no cluster, no
# container runtime, no build needed):
#   - systemd: `systemd-analyze verify` of clearmatchd.service prints
#     nothing (in a scratch root with the system's units and a stand-in
#     /usr/bin/clearmatchd, so that it runs before anything is installed),
#     and `systemd-analyze security --offline=yes` rates it at most 2.0;
#   - Kubernetes: `kubectl kustomize` of the base and of every overlay, and
#     every object they make validated against the Kubernetes API schemas
#     (npm package kubernetes-models, deploy/k8s/validate) plus the pods'
#     hardening.
set -euo pipefail
cd "$(dirname "$0")"
MAX_EXPOSURE=${MAX_EXPOSURE:-2.0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check_systemd() {
  local root=$work/root unit=systemd/clearmatchd.service
  mkdir -p "$root/usr/bin" "$root/usr/lib/systemd" "$root/etc/systemd/system"
  cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
  printf '#!/bin/sh\n' >"$root/usr/bin/clearmatchd"
  chmod +x "$root/usr/bin/clearmatchd"
  cp "$unit" "$root/etc/systemd/system/"
  local out
  out=$(systemd-analyze verify --root="$root" clearmatchd.service 2>&1) || {
    echo "$out"
    echo "check: systemd-analyze verify failed" >&2
    return 1
  }
  if [ -n "$out" ]; then
    echo "$out"
    echo "check: systemd-analyze verify is not clean" >&2
    return 1
  fi
  out=$(systemd-analyze security --offline=yes "$unit" 2>&1)
  local exposure
  exposure=$(sed -n 's/.*Overall exposure level for clearmatchd.service: \([0-9.]*\).*/\1/p' <<<"$out")
  if [ -z "$exposure" ]; then
    echo "$out"
    echo "check: no exposure level from systemd-analyze security" >&2
    return 1
  fi
  echo "check: systemd-analyze verify clean; exposure $exposure (at most $MAX_EXPOSURE)"
  awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }' || {
    grep '✗' <<<"$out"
    echo "check: exposure $exposure is above $MAX_EXPOSURE" >&2
    return 1
  }
}

check_k8s() {
  local kustomize=(kubectl kustomize)
  command -v kubectl >/dev/null || kustomize=(kustomize build)
  local outputs=() dir name
  for dir in k8s/base k8s/overlays/*/; do
    name=$(basename "$dir")
    "${kustomize[@]}" "$dir" >"$work/$name.yaml"
    outputs+=("$work/$name.yaml")
  done
  (cd k8s/validate && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  node k8s/validate/validate.mjs "${outputs[@]}"
}

check_systemd
check_k8s
echo "check: deploy passed"
