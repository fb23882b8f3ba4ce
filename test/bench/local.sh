#!/usr/bin/env bash
# Wall time of `eks-lb-lab local` from the compiled package (as `sudo npx eks-lb-lab local` runs it): namespaces
# up, 2,000 requests per mode (ip, instance + Cluster, instance + Local), everything down; then of
# `eks-lb-lab local --rollout` (ip and instance, graceful and naive, each rolled out under load). Needs root.
# Usage: test/bench/local.sh [runs] [requests per mode]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
requests=${2:-2000}
npx tsc >/dev/null

field() { node -p "String(JSON.parse(require('fs').readFileSync('$1', 'utf8')).$2)"; }

walls=() ups=() probes=() rollouts=() rollout_ups=()
for _ in $(seq "$runs"); do
  out=$(mktemp)
  start=$(date +%s.%N)
  node dist/bin/cli.js local --json --requests "$requests" >"$out"
  end=$(date +%s.%N)
  walls+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')")
  ups+=("$(printf %.2f "$(field "$out" seconds.up)")")
  [ "$(field "$out" agree)" = true ] || { echo "run $_: the emulation differs from the model" >&2; exit 1; }
  probes+=("$(printf %.2f "$(field "$out" seconds.probe)")")
  rm -f "$out"
done

for _ in $(seq "$runs"); do
  out=$(mktemp)
  start=$(date +%s.%N)
  node dist/bin/cli.js local --rollout --json >"$out"
  end=$(date +%s.%N)
  rollouts+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')")
  rollout_ups+=("$(printf %.2f "$(field "$out" seconds.up)")")
  [ "$(field "$out" agree)" = true ] || { echo "rollout run $_: the emulation differs from the model" >&2; exit 1; }
  rm -f "$out"
done

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
echo "eks-lb-lab local, $requests requests per mode, 3 modes, $runs runs, $(nproc) cores, node $(node --version), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s median %6s s   runs: %s\n' "wall (up + requests + down, whole command)" "$(median "${walls[@]}")" "${walls[*]}"
printf '%-44s median %6s s   runs: %s\n' "  namespaces and servers up" "$(median "${ups[@]}")" "${ups[*]}"
printf '%-44s median %6s s   runs: %s\n' "  health checks settle + requests, 3 modes" "$(median "${probes[@]}")" "${probes[*]}"
printf '%-44s median %6s s   runs: %s\n' "local --rollout, 4 rollouts (whole command)" "$(median "${rollouts[@]}")" "${rollouts[*]}"
printf '%-44s median %6s s   runs: %s\n' "  namespaces and agents up" "$(median "${rollout_ups[@]}")" "${rollout_ups[*]}"
