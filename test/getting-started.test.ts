import * as fs from 'fs';
import * as path from 'path';
import { readGuide } from '../scripts/getting-started';

// scripts/getting-started.ts follows the guide for real in test:all; this checks what it reads from it.

test('the guide has a Kubernetes and an AWS project, each with its app, config, test and commands', () => {
  const sections = readGuide(fs.readFileSync(path.join(__dirname, '..', 'docs', 'getting-started.md'), 'utf8'));
  expect(sections.map((s) => [s.heading, Object.keys(s.files).sort()])).toEqual([
    ['On Kubernetes (cdk8s)', ['kubernetes/cdk8s.yaml', 'kubernetes/jest.config.js', 'kubernetes/main.test.ts', 'kubernetes/main.ts', 'kubernetes/tsconfig.json']],
    ['On AWS (the AWS CDK)', ['aws/cdk.json', 'aws/jest.config.js', 'aws/main.test.ts', 'aws/main.ts', 'aws/tsconfig.json']],
  ]);
  expect(sections[0].commands).toEqual([
    'npm install @release-constructs/release-strategies cdk8s cdk8s-plus-28 constructs',
    'npm install --save-dev cdk8s-cli typescript@~5.9 ts-node @types/node jest ts-jest @types/jest',
    'npx cdk8s synth',
    'npx jest',
  ]);
  expect(sections[1].commands).toEqual([
    'npm install @release-constructs/release-strategies aws-cdk-lib constructs',
    'npm install --save-dev aws-cdk typescript@~5.9 ts-node @types/node jest ts-jest @types/jest',
    'npx cdk synth',
    'npx jest',
  ]);
});

test('reads titled blocks as files and only npm install / npx lines as commands', () => {
  const guide = [
    '# Title', '```sh', 'npm install x', '```',
    '## One', '```sh', 'mkdir a && cd a', 'npm install y', '```', '```ts title=a/main.ts', 'const x = 1;', '```',
    '```ts', 'not a file', '```',
    '## Two (no files)', '```sh', 'npx z', '```',
  ].join('\n');
  expect(readGuide(guide)).toEqual([{ heading: 'One', files: { 'a/main.ts': 'const x = 1;\n' }, commands: ['npm install y'] }]);
});
