import { cdk, javascript, JsonFile, typescript } from 'projen';
import { JobPermission } from 'projen/lib/github/workflows-model';

const project = new cdk.JsiiProject({
  name: '@release-constructs/release-strategies',
  description:
    'Release strategies as typed constructs: blue/green, canary with metric gates, shadow traffic and expand/contract migrations, synthesized to Kubernetes (cdk8s) and AWS CloudFormation (aws-cdk-lib).',
  author: 'Release Constructs Team',
  authorAddress: 'team@release-constructs.dev',
  repositoryUrl: 'https://github.com/release-constructs/release-strategies.git',
  defaultReleaseBranch: 'main',
  jsiiVersion: '~5.9.0',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.0.0',
  workflowNodeVersion: '20.x',
  keywords: ['cdk8s', 'aws-cdk', 'argo-rollouts', 'flagger', 'canary', 'blue-green', 'progressive-delivery'],
  peerDeps: ['cdk8s@^2.70.0', 'cdk8s-plus-28@^2.5.6', 'aws-cdk-lib@^2.230.0', 'constructs@^10.3.0'],
  // Not jsii modules, so they ship inside the package: the PostgreSQL parser behind the migration
  // checks, and the YAML reader of the `timeline` command.
  bundledDeps: ['libpg-query@^17.7.4', 'yaml@^2.9.1'],
  bin: { 'release-strategies': 'lib/cli/main.js' },
  // Other languages (jsii-pacmak): Python, built in CI and tested from Python by test/python
  // (scripts/test-python.sh). Java, Go and .NET are not targets yet: their code generates, but the Java
  // build cannot resolve org.cdk8s:cdk8s-plus-28 [2.5.6,3) from Maven Central, Go would download the
  // aws-cdk-go and cdk8s-plus Go modules (hundreds of MB) for every build, and there is no .NET SDK here.
  publishToPypi: { distName: 'release-constructs.release-strategies', module: 'release_constructs.release_strategies' },
  devDeps: ['cdk8s-cli', 'ajv', 'ajv-formats', 'js-yaml', '@types/js-yaml', 'fast-check'],
  tsconfigDev: {
    // Tests, examples, scripts and benchmarks import the library by its published name, as users do.
    compilerOptions: { paths: { '@release-constructs/release-strategies': ['../src/index.ts'] } },
    include: ['../examples/**/*.ts', '../scripts/**/*.ts', '../bench/**/*.ts'],
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts', 'bench'],
    ignorePatterns: ['src/kubernetes/imports/', '*.d.ts', 'node_modules/', 'lib/', 'dist/', 'coverage/'],
  },
  // Jest transpiles each file alone (no type information: several times faster on a cold cache);
  // the `typecheck` task type-checks src, tests, examples, scripts and benchmarks in one tsc run.
  tsJestOptions: { transformOptions: { tsconfig: typescript.TsJestTsconfig.fromFile('test/tsconfig.jest.json') } },
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      coveragePathIgnorePatterns: ['/node_modules/', '/src/kubernetes/imports/', '/test/'],
      // test/cluster/ needs the local control plane: the test:cluster task runs it (see below).
      testPathIgnorePatterns: ['/node_modules/', '/lib/', '/dist/', '/test/cluster/'],
      setupFilesAfterEnv: ['<rootDir>/test/cluster/setup.ts'],
      // Keep jest's file crawler out of the tool folders (.tools/ holds the Go module cache of the
      // cluster build: tens of thousands of files).
      roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/projenrc'],
      modulePathIgnorePatterns: ['<rootDir>/.tools/', '<rootDir>/.cache/'],
      moduleNameMapper: { '^@release-constructs/release-strategies$': '<rootDir>/src/index.ts' },
      // One worker per core (jest's default leaves one core idle: on two cores, a single worker, whose
      // heap grows with every file: 4 GB and slower files by the end). A worker above 1 GB after a
      // file is replaced.
      maxWorkers: '100%',
      workerIdleMemoryLimit: '1GB',
    },
  },
  gitignore: ['/.cache/', '/.tools/', '/cdk.out/', '/bench/results/', '/.jsii.tabl.json'],
});

// ts-node (scripts, examples run directly) maps the published name the same way.
project.tsconfigDev.file.addOverride('ts-node', { require: ['../scripts/self-reference.ts'] });

// The linter resolves it through the same mapping.
project.tryFindObjectFile('.eslintrc.json')?.addOverride('settings.import/resolver.typescript', { project: ['./tsconfig.json', './test/tsconfig.json'], alwaysTryTypes: true, noWarnOnMultipleProjects: true });

// Examples are what users copy: they import the library by its published name, never from src/.
project.eslint?.addOverride({
  files: ['examples/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{ group: ['**/src', '**/src/**'], message: "Import the library as users do: from '@release-constructs/release-strategies'." }],
    }],
  },
});

// Examples, scripts and benchmarks are type-checked and linted like the tests: each folder gets a
// tsconfig the linter's project service finds.
for (const dir of ['examples', 'scripts', 'bench']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: { extends: '../test/tsconfig.json', include: ['**/*.ts'], exclude: ['node_modules'] },
  });
}

new JsonFile(project, 'test/tsconfig.jest.json', {
  obj: { extends: './tsconfig.json', compilerOptions: { isolatedModules: true } },
});
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src, tests, examples, scripts and benchmarks (jest only transpiles)',
  exec: 'tsc --noEmit -p test/tsconfig.json',
});
project.testTask.prependSpawn(typecheck);

// Generated bindings: written by `npx projen import`, committed, never edited, never linted or covered.
project.addTask('import', {
  description: 'Regenerate src/kubernetes/imports and schemas/ from the CRDs pinned in cdk8s.yaml',
  exec: 'ts-node --project test/tsconfig.json scripts/import-crds.ts',
});
project.gitattributes.addAttributes('/src/kubernetes/imports/**', 'linguist-generated');
project.gitattributes.addAttributes('/schemas/**', 'linguist-generated');

// Core Kubernetes schemas for the schema checks in the tests (kubernetes-validate, from PyPI).
project.testTask.prependExec('scripts/fetch-kubernetes-schemas.sh');

// README snippets and docstring examples compile, in a fixture that imports every exported name.
project.preCompileTask.exec('ts-node --project test/tsconfig.json scripts/update-rosetta-fixture.ts');
project.postCompileTask.exec('ts-node --project test/tsconfig.json scripts/check-snippets.ts');
// Each export of lib/index.js loads on first use; declarations tolerate a missing optional peer.
project.postCompileTask.prependExec('ts-node --project test/tsconfig.json scripts/optional-peers.ts');

// The README's first command: every example synthesized into dist/examples/<name>/.
project.addTask('synth:examples', {
  description: 'Synthesize every example app into dist/examples/<name>/ (Kubernetes YAML, CloudFormation templates)',
  exec: 'ts-node --project test/tsconfig.json scripts/synth-examples.ts',
});

// Synth time and memory of N services: constructs against raw ApiObjects / CfnResources.
project.addTask('bench', {
  description: 'Synth time and memory of N services: constructs vs raw ApiObjects/CfnResources (--quick: smoke test)',
  exec: 'ts-node --project bench/tsconfig.json bench/run.ts',
  receiveArgs: true,
});

// The whole test suite against a local control plane (scripts/cluster/run.sh: kube-apiserver, etcd,
// kube-controller-manager, kube-scheduler, kwok, Argo Rollouts and Flagger, built from the Go module
// proxy into .tools/cluster/ on first use): every synthesized object is dry-run on the API server and
// every Rollout must pass the Argo Rollouts controller (test/cluster/setup.ts), and the tests in
// test/cluster/ carry releases out for real. Arguments select test files, as with `test`.
const testCluster = project.addTask('test:cluster', {
  description: 'Run every test against a local control plane with Argo Rollouts and Flagger (built on first use into .tools/cluster/)',
});
testCluster.exec('scripts/fetch-kubernetes-schemas.sh');
// `--` ends jest's options: what follows are test path patterns, not more ignore patterns.
testCluster.exec("scripts/cluster/run.sh jest --passWithNoTests --ci '--testPathIgnorePatterns=/node_modules/|/lib/|/dist/' --", { receiveArgs: true });

// The README's second command (and .ci/run): everything CI checks.
const testAll = project.addTask('test:all', {
  description: 'Compile, build the API reference and README snippets, run every test, synthesize the examples and run the conformance checks',
});
testAll.spawn(project.preCompileTask);
testAll.spawn(project.compileTask);
testAll.spawn(project.postCompileTask);
testAll.spawn(typecheck);
testAll.spawn(testCluster); // the `test` task's tests, plus the cluster checks and test/cluster/
testAll.spawn(project.eslint!.eslintTask);
// The peer-version matrix: the task above runs on the oldest peers (the devDependencies pin each
// peer range's minimum); this runs the same suite on the newest versions the ranges allow.
const newestPeers = project.addTask('test:newest-peers', {
  description: 'Run the jest suite on the newest aws-cdk-lib, cdk8s, cdk8s-plus-28 and constructs the peer ranges allow (installed into .cache/peers-newest)',
  exec: 'scripts/newest-peers.sh',
  receiveArgs: true,
});
testAll.spawn(newestPeers);
testAll.exec('scripts/install-tools.sh', { name: 'install kubeconform, cfn-lint and checkov into .tools/' });
testAll.exec('scripts/conformance.sh', { name: 'synthesize every example and run kubeconform, checkov and cfn-lint on it' });
testAll.spawn(project.addTask('test:python', {
  description: 'Build the Python package (jsii-pacmak) and run test/python with pytest against it, in .tools/python-venv',
  exec: 'scripts/test-python.sh',
}));
testAll.spawn(project.addTask('test:getting-started', {
  description: 'Follow docs/getting-started.md from empty folders with the packed library: install, synth, snapshot test',
  exec: 'ts-node --project test/tsconfig.json scripts/getting-started.ts',
}));
testAll.exec('git diff --exit-code -- API.md', { name: 'the committed API.md matches the build' });

// The library supports Node 20, 22 and 24: CI runs the README's test command on each.
const nodeVersions = project.github!.addWorkflow('node-versions');
nodeVersions.on({ pullRequest: {}, push: { branches: ['main'] }, workflowDispatch: {} });
nodeVersions.addJobs({
  test: {
    name: 'test on Node ${{ matrix.node }}',
    runsOn: ['ubuntu-latest'],
    permissions: { contents: JobPermission.READ },
    strategy: { failFast: false, matrix: { domain: { node: ['20.x', '22.x', '24.x'] } } },
    steps: [
      { uses: 'actions/checkout@v4' },
      { uses: 'actions/setup-node@v4', with: { 'node-version': '${{ matrix.node }}' } },
      { uses: 'actions/setup-go@v5', with: { 'go-version': 'stable' } },
      { uses: 'actions/setup-python@v5', with: { 'python-version': '3.11' } },
      { run: './.ci/run' },
    ],
  },
});

// A Kubernetes-only project installs cdk8s and cdk8s-plus-28, an AWS-only one aws-cdk-lib: each side is
// an optional peer (npm installs required peers by itself), and lib/index.js loads each export on
// first use (scripts/lazy-index.ts), so neither side loads the other's framework.
project.package.addField('peerDependenciesMeta', {
  'aws-cdk-lib': { optional: true },
  'cdk8s': { optional: true },
  'cdk8s-plus-28': { optional: true },
});

// What the published package holds: the compiled library, its jsii assembly, the API reference and
// the user docs (README, LICENSE and package.json are always included; bundled dependencies too).
// An allowlist, so nothing the build or the tests leave in the work tree (.tools/, .cache/, dist/,
// bench/results/) can end up in it; test/package-contents.test.ts checks the list.
project.package.addField('files', ['lib/**/*.js', 'lib/**/*.d.ts', '.jsii', 'API.md', 'docs/']);

// unrs-resolver 1.13.0 (under jest and the eslint import resolver) has platform packages missing from
// the registry this project installs from, so a lockfile made with it fails `npm ci`; 1.12.2 is complete.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// jsii warns on every call that Node 20 left upstream support; the library still supports it.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION', '1');

project.synth();
