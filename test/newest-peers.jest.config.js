/**
 * Jest configuration of the newest-peers run (scripts/newest-peers.sh): the project's own jest
 * configuration, with aws-cdk-lib, cdk8s, cdk8s-plus-28 and constructs loaded from $PEERS_PREFIX
 * instead of node_modules. Every import of them, from the tests, the library and the peers
 * themselves, resolves there, so one copy of each is loaded. Test files that load no peer are left
 * out (peerFree below).
 */
const path = require('path');
const base = require('../package.json').jest;

const prefix = process.env.PEERS_PREFIX;
if (!prefix) throw new Error('PEERS_PREFIX is not set: run scripts/newest-peers.sh');
const modules = path.join(prefix, 'node_modules');
const moduleNameMapper = {};
for (const name of Object.keys(require('../package.json').peerDependencies)) {
  moduleNameMapper[`^${name.replace(/[.+-]/g, '\\$&')}($|/.*)`] = `${modules}/${name}$1`;
}

// Tests that load none of the peers (the plan model, the SQL rules, the packaging) or whose subject is
// the database, not the objects (the real-PostgreSQL runs) only repeat the main run here.
const peerFree = [
  '/test/strategy/', '/test/migrations/(live-load|real-database|sql-parser|script|migration-phases)\\.test\\.ts$',
  '/test/(getting-started|package-contents)\\.test\\.ts$',
];

module.exports = {
  ...base,
  testPathIgnorePatterns: [...base.testPathIgnorePatterns, ...peerFree],
  rootDir: path.join(__dirname, '..'),
  moduleNameMapper: { ...(base.moduleNameMapper ?? {}), ...moduleNameMapper },
  // Coverage and JUnit reports belong to the main run.
  collectCoverage: false,
  reporters: ['default'],
};
