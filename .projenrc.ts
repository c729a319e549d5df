import { cdk, javascript, JsonFile } from 'projen';
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
  devDeps: ['cdk8s-cli', 'ajv', 'ajv-formats', 'js-yaml', '@types/js-yaml', 'fast-check'],
  tsconfigDev: {
    compilerOptions: {},
    include: ['../examples/**/*.ts', '../scripts/**/*.ts', '../bench/**/*.ts'],
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts', 'bench'],
    ignorePatterns: ['src/kubernetes/imports/', '*.d.ts', 'node_modules/', 'lib/', 'dist/', 'coverage/'],
  },
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      coveragePathIgnorePatterns: ['/node_modules/', '/src/kubernetes/imports/', '/test/'],
      testPathIgnorePatterns: ['/node_modules/', '/lib/', '/dist/'],
    },
  },
  gitignore: ['/.cache/', '/.tools/', '/cdk.out/', '/bench/results/', '/.jsii.tabl.json'],
});

// Examples, scripts and benchmarks are type-checked and linted like the tests: each folder gets a
// tsconfig the linter's project service finds.
for (const dir of ['examples', 'scripts', 'bench']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: { extends: '../test/tsconfig.json', include: ['**/*.ts'], exclude: ['node_modules'] },
  });
}

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

// The README's second command (and .ci/run): everything CI checks.
const testAll = project.addTask('test:all', {
  description: 'Compile, build the API reference and README snippets, run every test, synthesize the examples and run the conformance checks',
});
testAll.spawn(project.preCompileTask);
testAll.spawn(project.compileTask);
testAll.spawn(project.postCompileTask);
testAll.spawn(project.testTask);
testAll.exec('scripts/install-tools.sh', { name: 'install kubeconform, cfn-lint and checkov into .tools/' });
testAll.exec('scripts/conformance.sh', { name: 'synthesize every example and run kubeconform, checkov and cfn-lint on it' });
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

// unrs-resolver 1.13.0 (under jest and the eslint import resolver) has platform packages missing from
// the registry this project installs from, so a lockfile made with it fails `npm ci`; 1.12.2 is complete.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// jsii warns on every call that Node 20 left upstream support; the library still supports it.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION', '1');

project.synth();
