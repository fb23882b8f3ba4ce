#!/usr/bin/env bash
# Wall and CPU time of `npm test` (tsc --noEmit, then jest on every core), with the load average before and after
# and the slowest test files. On a busy machine the figures say little. Usage: test/bench/test.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
results=$(mktemp)
trap 'rm -f "$results"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

timed() { # label command...
  local out
  out=$( { TIMEFORMAT='%R %U %S'; time "${@:2}" >/dev/null 2>&1; } 2>&1 ) || { echo "$1 failed" >&2; return 1; }
  read -r wall user sys <<<"$out"
  awk -v l="$1" -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN { printf "%-22s wall %5.1f s   cpu %5.1f s\n", l, w, u + s }'
}

echo "npm test, $(nproc) cores, node $(node --version); load average $load_before before"
timed 'tsc --noEmit' node_modules/.bin/tsc --noEmit
timed 'jest' node_modules/.bin/jest --json --outputFile="$results"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) after"
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
console.log(`${r.numPassedTests} of ${r.numTotalTests} tests passed, ${r.numPendingTests} skipped; slowest files:`);
r.testResults.map((t) => [(t.endTime - t.startTime) / 1000, require("path").relative(process.cwd(), t.name)])
  .sort((a, b) => b[0] - a[0]).slice(0, 8).forEach(([s, f]) => console.log(`  ${s.toFixed(1).padStart(5)} s  ${f}`));
' "$results"
