/**
 * Which peer versions the suite runs on: the devDependencies (the oldest each peer range allows) in the
 * ordinary run, the versions scripts/newest-peers.sh resolved (PEERS_EXPECTED) in the newest-peers run.
 * The versions are read through the same module resolution as the library's own imports.
 */
import * as pkg from '../package.json';

const PEERS = Object.keys(pkg.peerDependencies) as Array<keyof typeof pkg.peerDependencies>;

function loadedVersion(name: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(`${name}/package.json`).version;
}

test('the suite runs on the peer versions it is meant to', () => {
  const expected: Record<string, string> = process.env.PEERS_EXPECTED
    ? JSON.parse(process.env.PEERS_EXPECTED)
    : Object.fromEntries(PEERS.map((name) => [name, (pkg.devDependencies as Record<string, string>)[name]]));
  const loaded = Object.fromEntries(PEERS.map((name) => [name, loadedVersion(name)]));
  process.stdout.write(`peer versions loaded: ${PEERS.map((name) => `${name} ${loaded[name]}`).join(', ')}\n`);
  expect(loaded).toEqual(expected);
});
