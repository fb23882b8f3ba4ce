#!/usr/bin/env bash
# Cold `cdk synth` wall time of the lab app (all stacks, as cdk.json runs it) against one stack with aws-cdk-lib's
# built-in AlbController run through tsx, alternately so machine drift hits both alike. Each run starts from an empty
# output folder; both keep the CloudFormation validator on. The load average is printed: on a busy machine the figures
# say little. Usage: test/bench/synth.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
cdk=node_modules/.bin/cdk

synth_seconds() { # extra cdk args...
  local out start end
  out=$(mktemp -d)
  start=$(date +%s.%N)
  "$cdk" synth --quiet -o "$out" "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  rm -rf "$out"
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
lab=() base=()
for _ in $(seq "$runs"); do
  lab+=("$(synth_seconds)")
  base+=("$(synth_seconds --app 'node --import tsx test/bench/baseline-app.ts')")
done

lab_median=$(median "${lab[@]}") base_median=$(median "${base[@]}")
echo "cold cdk synth, $runs runs each, $(nproc) cores, node $(node --version); load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
printf '%-52s median %5s s   runs: %s\n' "lab app (all stacks, cdk.json's app)" "$lab_median" "${lab[*]}"
printf '%-52s median %5s s   runs: %s\n' "aws-cdk-lib AlbController, one stack (tsx)" "$base_median" "${base[*]}"
awk -v a="$lab_median" -v b="$base_median" 'BEGIN { printf "lab / peer: %.2f\n", a / b }'
