#!/usr/bin/env bash
# The README's set-up and test commands timed on each maintained Node line: `npm ci` (warm npm cache),
# `npm run synth` and `npm test`, wall and CPU (user + system, children included), with the load average
# before each. Node comes from .ci/node-bin. Usage: test/bench/node-lines.sh [major ...]  (default 22 24 26)
set -euo pipefail
cd "$(dirname "$0")/../.."
lines=("$@")
[ ${#lines[@]} -gt 0 ] || lines=(22 24 26)
export CDK_DISABLE_CLI_TELEMETRY=true CDK_DISABLE_VERSION_CHECK=1

timed() { # label command...: prints "label  wall s  cpu s  load"
  local load out
  load=$(cut -d' ' -f1 /proc/loadavg)
  out=$( { TIMEFORMAT='%R %U %S'; time "${@:2}" >/dev/null 2>&1; } 2>&1 ) || { echo "$1 failed" >&2; return 1; }
  read -r wall user sys <<<"$out"
  awk -v l="$1" -v w="$wall" -v u="$user" -v s="$sys" -v a="$load" \
    'BEGIN { printf "  %-14s wall %6.1f s   cpu %6.1f s   load before %s\n", l, w, u + s, a }'
}

echo "$(nproc) cores, $(git rev-parse --short HEAD)"
for major in "${lines[@]}"; do
  bin=$(.ci/node-bin "$major")
  echo "Node $("$bin/node" --version), npm $(PATH="$bin:$PATH" npm --version)"
  PATH="$bin:$PATH" timed 'npm ci' npm ci --no-audit --no-fund
  PATH="$bin:$PATH" timed 'npm run synth' npm run synth
  PATH="$bin:$PATH" timed 'npm test' npm test
done
