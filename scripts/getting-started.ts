/**
 * Follows docs/getting-started.md from empty folders, as a new user would, against the library packed
 * from this work tree (`npm pack`; compile first):
 *
 * - every code block titled `title=<project>/<file>` is written to that file;
 * - in each section, the `npm install ...` lines of the shell blocks run with the library's name
 *   replaced by the packed tarball (from the npm cache when it has the packages), then the `npx ...`
 *   lines run in order (`cdk8s synth` / `cdk synth`, `jest`);
 * - the synthesized output and the snapshot must exist, and the Kubernetes project must not have
 *   installed aws-cdk-lib.
 *
 *   ts-node --project test/tsconfig.json scripts/getting-started.ts [--keep]
 */
import { execFileSync, execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const NAME = '@release-constructs/release-strategies';

/** One `## ` section of the guide: the files it writes and the commands it runs, in order. */
export interface GuideSection {
  readonly heading: string;
  /** File path (relative to the work folder, first segment = project) → content. */
  readonly files: { [file: string]: string };
  readonly commands: string[];
}

/** The sections of the guide that write files, with their shell commands. */
export function readGuide(markdown: string): GuideSection[] {
  const sections: GuideSection[] = [];
  let current: { heading: string; files: { [file: string]: string }; commands: string[] } | undefined;
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('## ')) {
      current = { heading: line.slice(3).trim(), files: {}, commands: [] };
      sections.push(current);
      continue;
    }
    const fence = /^```(\S*)\s*(.*)$/.exec(line);
    if (!fence || current === undefined) continue;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
    const title = /(?:^|\s)title=(\S+)/.exec(fence[2]);
    if (title) current.files[title[1]] = body.join('\n') + '\n';
    else if (fence[1] === 'sh') current.commands.push(...body.map((l) => l.trim()).filter((l) => /^(npm install|npx) /.test(l)));
  }
  return sections.filter((s) => Object.keys(s.files).length > 0);
}

function run(command: string, cwd: string): void {
  process.stdout.write(`[${path.basename(cwd)}] $ ${command}\n`);
  // As on a user's machine: jest would not write the first snapshot when it thinks it runs in CI.
  const env = { ...process.env };
  delete env.CI;
  execSync(command, { cwd, stdio: 'inherit', env });
}

function main(): void {
  const keep = process.argv.includes('--keep');
  if (!fs.existsSync(path.join(root, 'lib', 'index.js'))) throw new Error('lib/ not found: compile first (npx projen compile)');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'getting-started-'));
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--loglevel=warn', '--pack-destination', work], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!;
  const tarball = path.join(work, packed);
  const sections = readGuide(fs.readFileSync(path.join(root, 'docs', 'getting-started.md'), 'utf8'));
  if (sections.length < 2) throw new Error('docs/getting-started.md: expected a Kubernetes and an AWS section with titled files');
  for (const section of sections) {
    const projects = new Set(Object.keys(section.files).map((f) => f.split('/')[0]));
    if (projects.size !== 1) throw new Error(`docs/getting-started.md, '${section.heading}': files of one section belong to one project, got ${[...projects].join(', ')}`);
    const project = path.join(work, [...projects][0]);
    fs.mkdirSync(project, { recursive: true });
    run('npm init -y > /dev/null', project);
    for (const [file, content] of Object.entries(section.files)) fs.writeFileSync(path.join(work, file), content);
    for (const command of section.commands) {
      if (command.startsWith('npm install ')) {
        if (!command.includes('--save-dev') && !command.includes(NAME)) {
          throw new Error(`docs/getting-started.md, '${section.heading}': the install line must name ${NAME}: ${command}`);
        }
        run(`${command.replace(NAME, tarball)} --prefer-offline --no-audit --no-fund --loglevel=error`, project);
      } else {
        run(command, project);
      }
    }
  }
  check(work);
  process.stdout.write(`getting started: followed ${sections.map((s) => `'${s.heading}'`).join(' and ')} in ${work}\n`);
  if (!keep) fs.rmSync(work, { recursive: true, force: true });
}

function check(work: string): void {
  const k8s = path.join(work, 'kubernetes');
  const manifest = fs.readFileSync(path.join(k8s, 'dist', 'shop.k8s.yaml'), 'utf8');
  for (const kind of ['Rollout', 'AnalysisTemplate', 'HTTPRoute']) {
    if (!manifest.includes(`kind: ${kind}\n`)) throw new Error(`kubernetes/dist/shop.k8s.yaml has no ${kind}`);
  }
  if (!fs.existsSync(path.join(k8s, '__snapshots__', 'main.test.ts.snap'))) throw new Error('kubernetes: jest wrote no snapshot');
  if (fs.existsSync(path.join(k8s, 'node_modules', 'aws-cdk-lib'))) throw new Error('kubernetes: aws-cdk-lib was installed, though the project never asked for it');
  const aws = path.join(work, 'aws');
  const template = JSON.parse(fs.readFileSync(path.join(aws, 'cdk.out', 'Pricing.template.json'), 'utf8'));
  const types = Object.values<any>(template.Resources).map((r) => r.Type);
  if (!types.includes('AWS::CodeDeploy::DeploymentGroup')) throw new Error('aws/cdk.out/Pricing.template.json has no CodeDeploy deployment group');
  if (!fs.existsSync(path.join(aws, '__snapshots__', 'main.test.ts.snap'))) throw new Error('aws: jest wrote no snapshot');
}

if (require.main === module) main();
