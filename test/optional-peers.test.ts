import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { exportedModules, lazyIndex, optionalPeers, tolerateMissingPeers } from '../scripts/optional-peers';

const root = path.resolve(__dirname, '..');

describe('lib/index.js of the compiled library (needs `npx projen compile`)', () => {
  // A fresh Node process in which the peers named in HIDE cannot be resolved, as in a project that
  // never installed them.
  function runWithout(hidden: string[], code: string): string {
    const hide = `
      const Module = require('module');
      const resolve = Module._resolveFilename;
      const hidden = ${JSON.stringify(hidden)};
      Module._resolveFilename = function (request, ...rest) {
        if (hidden.some((p) => request === p || request.startsWith(p + '/'))) {
          const e = new Error("Cannot find module '" + request + "'");
          e.code = 'MODULE_NOT_FOUND';
          throw e;
        }
        return resolve.call(this, request, ...rest);
      };`;
    return execFileSync(process.execPath, ['-e', `${hide}\n${code}`], { cwd: root, encoding: 'utf8' });
  }

  test('a Kubernetes app runs without aws-cdk-lib installed, and never loads it', () => {
    const out = runWithout(['aws-cdk-lib'], `
      const { App, Chart, Testing } = require('cdk8s');
      const { CanaryRollout, RolloutPlan, Interval, RolloutEngine, TrafficRouter } = require('./lib');
      const kplus = require('cdk8s-plus-28');
      const chart = new Chart(new App(), 'shop');
      new CanaryRollout(chart, 'checkout', {
        containers: [{ image: 'registry.example.com/checkout:2.4.0', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }],
        port: 80, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }),
        engine: RolloutEngine.argoRollouts(), trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public' }),
      });
      const kinds = Testing.synth(chart).map((o) => o.kind);
      const loaded = Object.keys(require.cache).filter((f) => f.includes('/node_modules/aws-cdk-lib/'));
      console.log(JSON.stringify({ rollout: kinds.includes('Rollout'), loaded }));`);
    expect(JSON.parse(out)).toEqual({ rollout: true, loaded: [] });
  });

  test('requiring the library loads no framework until a name is used', () => {
    const out = runWithout([], `
      require('./lib');
      console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /node_modules\\/(aws-cdk-lib|cdk8s|cdk8s-plus-28)\\//.test(f)).length));`);
    expect(JSON.parse(out)).toBe(0);
  });

  test('fails on an AWS name without aws-cdk-lib, naming the package to install', () => {
    const out = runWithout(['aws-cdk-lib'], `
      try { require('./lib').EcsCanaryRollout; } catch (e) { console.log(e.message); }`);
    expect(out.trim()).toBe("@release-constructs/release-strategies: EcsCanaryRollout needs the peer dependency 'aws-cdk-lib', which is not installed: npm install aws-cdk-lib@'^2.230.0'");
  });

  test('exports the same names and the same values as the modules src/index.ts lists', () => {
    const modules = exportedModules(fs.readFileSync(path.join(root, 'src', 'index.ts'), 'utf8'));
    const out = runWithout([], `
      const lib = require('./lib');
      const expected = {};
      for (const m of ${JSON.stringify(modules)}) {
        const mod = require('./lib/' + m.slice(2));
        for (const k of Object.keys(mod)) if (!(k in expected)) expected[k] = mod[k];
      }
      console.log(JSON.stringify({
        names: Object.keys(lib).sort().join() === Object.keys(expected).sort().join(),
        same: Object.keys(expected).every((k) => lib[k] === expected[k]),
        count: Object.keys(lib).length,
      }));`);
    expect(JSON.parse(out)).toEqual({ names: true, same: true, count: expect.any(Number) });
    expect(JSON.parse(out).count).toBeGreaterThan(40);
  });

  test('an ES module can import the names (Node reads them from the source, not from the getters)', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e',
      `import { CanaryRollout, Interval } from ${JSON.stringify(path.join(root, 'lib', 'index.js'))}; console.log(typeof CanaryRollout, Interval.minutes(2).toSeconds());`], { encoding: 'utf8' });
    expect(out.trim()).toBe('function 120');
  });

  test('declaration files that name an optional peer carry a @ts-ignore above each such line', () => {
    const dts = fs.readFileSync(path.join(root, 'lib', 'aws', 'ecs-canary-rollout.d.ts'), 'utf8').split('\n');
    const importLine = dts.findIndex((l) => l.startsWith('import * as codedeploy from'));
    expect(dts[importLine - 1]).toMatch(/^\/\/ @ts-ignore optional peer dependency/);
  });
});

test('optional peers are those package.json marks optional', () => {
  expect(optionalPeers({
    peerDependencies: { 'aws-cdk-lib': '^2.230.0', 'constructs': '^10.3.0', 'cdk8s': '^2.70.0' },
    peerDependenciesMeta: { 'aws-cdk-lib': { optional: true }, 'cdk8s': { optional: false } },
  })).toEqual({ 'aws-cdk-lib': '^2.230.0' });
});

test('fails on a line of src/index.ts that is not an export-star line', () => {
  expect(exportedModules("export * from './strategy/interval';\n\n// note\nexport * from './aws/x';\n")).toEqual(['./strategy/interval', './aws/x']);
  expect(() => exportedModules("export * from './a';\nexport { B } from './b';\n")).toThrow(
    "src/index.ts:2: only `export * from './file';` lines are allowed (STYLE.md), got: export { B } from './b';",
  );
});

test('the lazy index keeps the first module\'s binding of a name, like export *', () => {
  const text = lazyIndex([['./a', ['A', 'Shared']], ['./b', ['B', 'Shared', 'default']]], {});
  const exports: any = {};
  const modules: { [file: string]: any } = { './a': { A: 1, Shared: 'from a' }, './b': { B: 2, Shared: 'from b', default: 3 } };
  new Function('exports', 'require', 'module', text)(exports, (f: string) => modules[f], { exports });
  expect({ ...exports }).toEqual({ A: 1, Shared: 'from a', B: 2 });
  expect(text).toContain('0 && (module.exports = { A, Shared, B });');
});

test('marks every line naming an optional peer module once, and no other line', () => {
  const source = [
    "import { Duration } from 'aws-cdk-lib';",
    "import * as ecs from 'aws-cdk-lib/aws-ecs';",
    "import { Construct } from 'constructs';",
    "import { Foo } from 'aws-cdk-library-other';",
    '    readonly d: import("aws-cdk-lib").Duration;',
  ].join('\n');
  const once = tolerateMissingPeers(source, ['aws-cdk-lib']);
  expect(once.split('\n')).toEqual([
    '// @ts-ignore optional peer dependency: types resolve when it is installed',
    "import { Duration } from 'aws-cdk-lib';",
    '// @ts-ignore optional peer dependency: types resolve when it is installed',
    "import * as ecs from 'aws-cdk-lib/aws-ecs';",
    "import { Construct } from 'constructs';",
    "import { Foo } from 'aws-cdk-library-other';",
    '    // @ts-ignore optional peer dependency: types resolve when it is installed',
    '    readonly d: import("aws-cdk-lib").Duration;',
  ]);
  expect(tolerateMissingPeers(once, ['aws-cdk-lib'])).toBe(once);
});
