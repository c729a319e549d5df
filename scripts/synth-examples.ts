/**
 * Synthesizes every example app into dist/<example>/: Kubernetes YAML (`*.k8s.yaml`) for cdk8s apps,
 * CloudFormation templates (`*.template.json`) for AWS CDK apps. The README's first command runs this.
 *
 * Each example is `examples/<name>/main.ts` exporting `buildApp(outdir)`, which returns the app (or a
 * promise of it, for apps that parse SQL before synth).
 */
import * as fs from 'fs';
import * as path from 'path';

export const EXAMPLES_DIR = path.resolve(__dirname, '..', 'examples');

/** Names of every example (folders of examples/ with a main.ts). */
export function exampleNames(): string[] {
  return fs.readdirSync(EXAMPLES_DIR)
    .filter((name) => fs.existsSync(path.join(EXAMPLES_DIR, name, 'main.ts')))
    .sort();
}

/** Builds and synthesizes one example into `outdir`; returns the files written. */
export async function synthExample(name: string, outdir: string): Promise<string[]> {
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(EXAMPLES_DIR, name, 'main'));
  if (typeof mod.buildApp !== 'function') throw new Error(`examples/${name}/main.ts must export buildApp(outdir)`);
  const app = await mod.buildApp(outdir);
  app.synth();
  // Recursively: cdk8s apps may write one folder per chart (YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE).
  return (fs.readdirSync(outdir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.k8s.yaml') || f.endsWith('.template.json'))
    .sort()
    .map((f) => path.join(outdir, f));
}

async function main(): Promise<void> {
  const dist = path.resolve(__dirname, '..', 'dist', 'examples');
  for (const name of exampleNames()) {
    const files = await synthExample(name, path.join(dist, name));
    process.stdout.write(`${name}: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}\n`);
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
  });
}
