#!/usr/bin/env bash
# What a Kubernetes-only project pays for this library: install size, load time and strict type-check
# time of a small cdk8s app, in a new project outside this repository.
#
#   bench/kubernetes-only.sh [TARBALL] [RUNS]
#
# TARBALL: the packed library to measure (default: `npm pack` of this work tree, which must be
# compiled). Pack an older commit the same way to compare. RUNS: repetitions of the timed steps
# (default 5); the median is printed, with wall and CPU (user + sys) times, since the machine may be
# shared. The project installs what npm installs for `npm install <library> cdk8s cdk8s-plus-28
# constructs` (required peers come along by themselves), from the npm cache when it can.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [[ -n "${1:-}" ]]; then
  tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
  [[ -f "$root/lib/index.js" ]] || { echo "lib/ not found: compile first (npx projen compile)" >&2; exit 1; }
  tarball="$work/$(cd "$root" && npm pack --ignore-scripts --pack-destination "$work" 2>/dev/null | tail -1)"
fi

app="$work/app"
mkdir -p "$app"
cd "$app"
cat > package.json <<'EOF'
{ "name": "kubernetes-only-app", "version": "1.0.0", "private": true }
EOF
# The compiler options `cdk8s init typescript-app` writes (strict, no skipLibCheck), lib as in Node 20.
cat > tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "alwaysStrict": true, "declaration": true, "experimentalDecorators": true, "inlineSourceMap": true,
    "inlineSources": true, "lib": ["es2022"], "module": "CommonJS", "noEmit": true, "noEmitOnError": true,
    "noFallthroughCasesInSwitch": true, "noImplicitAny": true, "noImplicitReturns": true,
    "noImplicitThis": true, "noUnusedLocals": true, "noUnusedParameters": true, "resolveJsonModule": true,
    "strict": true, "strictNullChecks": true, "strictPropertyInitialization": true, "stripInternal": true,
    "target": "ES2022", "types": ["node"]
  },
  "include": ["main.ts"]
}
EOF
cat > main.ts <<'EOF'
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CanaryRollout, Interval, RolloutEngine, RolloutPlan, TrafficRouter } from '@release-constructs/release-strategies';

const app = new App();
const chart = new Chart(app, 'shop');
new CanaryRollout(chart, 'checkout', {
  containers: [{ image: 'registry.example.com/checkout:2.4.0', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }],
  port: 80,
  plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }),
  engine: RolloutEngine.argoRollouts(),
  trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public' }),
});
app.synth();
EOF

npm install --prefer-offline --no-audit --no-fund --loglevel=error "$tarball" cdk8s@^2.70.0 cdk8s-plus-28@^2.5.6 constructs@^10.3.0 >/dev/null
install_kb="$(du -sk node_modules | cut -f1)"
packages="$(cd node_modules && ls -d * @*/* 2>/dev/null | grep -v '^@[^/]*$' | tr '\n' ' ')"
aws="no"; [[ -d node_modules/aws-cdk-lib ]] && aws="yes ($(du -sk node_modules/aws-cdk-lib | cut -f1) KB)"
# Tools to measure with, installed after the size was taken.
npm install --prefer-offline --no-audit --no-fund --loglevel=error --no-save typescript@5.9 @types/node@20 >/dev/null

# Prints "wall cpu" in seconds for one run of the command.
timed() {
  local out
  out="$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1; } 2>&1 )"
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"$out"
}
# Median "wall cpu" of $runs runs.
median() {
  local i results=()
  for ((i = 0; i < runs; i++)); do results+=("$(timed "$@")"); done
  printf '%s\n' "${results[@]}" | sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'
}

load="$(median node -e "require('@release-constructs/release-strategies')")"
use="$(median node -e "require('@release-constructs/release-strategies').CanaryRollout")"
npx tsc --noEmit -p . # fails the script if the app does not type-check
check="$(median npx tsc --noEmit -p .)"

echo "library: $(basename "$tarball")"
echo "installed packages: $packages"
echo "aws-cdk-lib installed: $aws"
echo
echo "| measure (median of $runs) | wall | CPU |"
echo "| --- | --- | --- |"
echo "| install size (node_modules) | $((install_kb / 1024)) MB | |"
read -r w c <<<"$load"; echo "| require('@release-constructs/release-strategies') | ${w} s | ${c} s |"
read -r w c <<<"$use"; echo "| require + first use of CanaryRollout | ${w} s | ${c} s |"
read -r w c <<<"$check"; echo "| tsc --noEmit (strict, no skipLibCheck) | ${w} s | ${c} s |"
