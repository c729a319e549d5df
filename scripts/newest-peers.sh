#!/usr/bin/env bash
# The peer-version matrix, newest side: runs the whole jest suite against the newest versions of
# aws-cdk-lib, cdk8s, cdk8s-plus-28 and constructs that the package's peer ranges allow. (The oldest
# side is the ordinary `projen test` run: the devDependencies pin each peer to its range's minimum.)
#
# The newest versions are resolved from the npm registry on every run, so CI tests what a user who
# installs the library today gets, and a new upstream release that breaks us shows up at once.
# PEERS_NEWEST='{"aws-cdk-lib":"2.276.0",...}' pins them instead (to reproduce a run).
#
# They are installed into .cache/peers-newest/ (reused while the resolved versions stay the same),
# never into the project's node_modules; jest is pointed at them with moduleNameMapper
# (test/newest-peers.jest.config.js), and test/peer-versions.test.ts proves which versions it loaded.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=".cache/peers-newest"
mkdir -p "${prefix}"

if [ -z "${PEERS_NEWEST:-}" ]; then
  PEERS_NEWEST="$(node -e '
    const { execFileSync } = require("child_process");
    const semver = require("semver");
    const peers = require("./package.json").peerDependencies;
    const out = {};
    for (const [name, range] of Object.entries(peers)) {
      const versions = JSON.parse(execFileSync("npm", ["view", name, "versions", "--json"], { encoding: "utf8" }));
      out[name] = semver.maxSatisfying([].concat(versions), range);
      if (!out[name]) throw new Error(`no published version of ${name} satisfies ${range}`);
    }
    process.stdout.write(JSON.stringify(out));
  ')"
fi
echo "newest peers: ${PEERS_NEWEST}"

if [ "$(cat "${prefix}/versions.json" 2>/dev/null || true)" != "${PEERS_NEWEST}" ]; then
  rm -rf "${prefix}/node_modules" "${prefix}/package.json" "${prefix}/package-lock.json"
  node -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({ private: true, dependencies: JSON.parse(process.argv[2]) }, null, 2))' \
    "${prefix}/package.json" "${PEERS_NEWEST}"
  npm install --prefix "${prefix}" --no-audit --no-fund --ignore-scripts --loglevel=error
  printf '%s' "${PEERS_NEWEST}" > "${prefix}/versions.json"
fi

export PEERS_PREFIX="${PWD}/${prefix}"
export PEERS_EXPECTED="${PEERS_NEWEST}"
exec npx jest --ci --config test/newest-peers.jest.config.js "$@"
