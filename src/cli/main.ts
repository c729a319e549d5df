#!/usr/bin/env node
/**
 * The `release-strategies` command.
 *
 *   release-strategies timeline <file-or-folder> [--svg <out.svg>] [--release <name>] [--target-time <duration>]
 *   release-strategies --help | --version
 *
 * Reads synthesized output (cdk8s YAML, CloudFormation templates) back into release plans and prints
 * each one's timeline as a Markdown table; `--svg` also writes the chart (one file per release when
 * there are several: `out-<release>.svg`). Fleet releases (Argo CD ApplicationSets with progressive
 * syncs, CodePipeline waves) are laid out as fleets.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FoundFleet, readFleets } from './read-fleets';
import { durationSeconds, readFiles, ReadError, releasesIn } from './read-releases';
import { FleetTimeline } from '../strategy/fleet-timeline';
import { ReleaseTimeline } from '../strategy/release-timeline';

const TOOL_USAGE = `Usage: release-strategies <command> [options]

Commands:
  timeline <file-or-folder>   show each release's timeline (steps, time to full rollout, exposure)

Options:
  -h, --help   show this help; 'release-strategies <command> --help' shows a command's
  --version    print the version
`;

const TIMELINE_USAGE = `Usage: release-strategies timeline <file-or-folder> [--svg <out.svg>] [--release <text>]

Reads synthesized output (*.k8s.yaml from cdk8s, *.template.json from the AWS CDK) and shows each
release's timeline: Argo Rollouts Rollouts, Flagger Canaries, ECS services with BLUE_GREEN, CANARY or
LINEAR deployments, and CodeDeploy deployment groups; and fleets: Argo CD ApplicationSets with
progressive syncs (each cluster's Rollout read from a folder named after the cluster) and CodePipeline
stages of CloudFormation deploys. Releases are named by kind and name (Kubernetes)
or by construct path (CloudFormation written by the AWS CDK; the logical ID otherwise).

Options:
  --svg <file>       also write the chart as SVG (with several releases: <file>-<release>.svg)
  --release <text>   only releases whose name contains <text>
  --target-time <d>  fleets: time one target's update takes besides its Rollout, e.g. 5m (default 0s)
  -h, --help         show this help
`;

/** Output streams, so tests can capture them. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** A failure the command reports with its message alone (exit code 1). */
class CommandError extends Error {}

/**
 * Runs the command; returns the exit code (0 done, 1 error, 2 usage). Never throws: every error is
 * printed as one message, without a stack trace.
 */
export function run(argv: string[], io: Io): number {
  try {
    return runCommand(argv, io);
  } catch (e) {
    const message = e instanceof ReadError || e instanceof CommandError ? e.message : `release-strategies: ${(e as Error)?.message ?? e}`;
    io.err(`${message}\n`);
    return 1;
  }
}

function runCommand(argv: string[], io: Io): number {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h') {
    io.out(TOOL_USAGE);
    return 0;
  }
  if (command === '--version') {
    io.out(`${version()}\n`);
    return 0;
  }
  if (command === undefined) {
    io.err(TOOL_USAGE);
    return 2;
  }
  if (command !== 'timeline') {
    io.err(`Unknown command '${command}'.\n\n${TOOL_USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(TIMELINE_USAGE);
    return 0;
  }
  let target: string | undefined;
  let svg: string | undefined;
  let filter: string | undefined;
  let targetTime = '0s';
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--svg' || arg === '--release' || arg === '--target-time') {
      const value = rest[++i];
      if (value === undefined) {
        io.err(`${arg} needs a value.\n\n${TIMELINE_USAGE}`);
        return 2;
      }
      if (arg === '--svg') svg = value;
      else if (arg === '--release') filter = value;
      else targetTime = value;
    } else if (arg.startsWith('-')) {
      io.err(`Unknown option '${arg}'.\n\n${TIMELINE_USAGE}`);
      return 2;
    } else if (target === undefined) {
      target = arg;
    } else {
      io.err(`Only one file or folder, got '${target}' and '${arg}'.\n\n${TIMELINE_USAGE}`);
      return 2;
    }
  }
  if (target === undefined) {
    io.err(`Missing the file or folder to read.\n\n${TIMELINE_USAGE}`);
    return 2;
  }
  const files = readFiles(target);
  const all = releasesIn(files);
  const root = fs.statSync(target).isDirectory() ? target : path.dirname(target);
  const fleets: FoundFleet[] = readFleets(root, files, all, durationSeconds('--target-time', 'value', targetTime)).filter((r) => filter === undefined || r.name.includes(filter));
  const releases = all.filter((r) => filter === undefined || r.name.includes(filter));
  if (releases.length === 0 && fleets.length === 0) {
    io.err(`No release found in ${target}${filter ? ` matching '${filter}'` : ''} (looked for Argo Rollouts, Flagger Canaries, ECS deployment configurations, CodeDeploy deployment groups, ApplicationSets with progressive syncs and CodePipeline deploy stages).\n`);
    return 1;
  }
  const count = releases.length + fleets.length;
  const write = (name: string, chart: string) => {
    if (svg === undefined) return;
    const file = count === 1 ? svg : svg.replace(/(\.svg)?$/, `-${slug(name)}.svg`);
    try {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      fs.writeFileSync(file, chart);
    } catch (e) {
      throw new CommandError(`Cannot write the chart to ${file}: ${(e as Error).message}`);
    }
    io.out(`Wrote ${file}\n\n`);
  };
  for (const r of releases) {
    const timeline = ReleaseTimeline._fromSchedule(r.name, r.schedule, { engine: r.engine, title: `${r.name} (${path.relative(process.cwd(), r.file) || r.file})` });
    io.out(timeline.toTable() + '\n');
    write(r.name, timeline.toSvg());
  }
  for (const f of fleets) {
    const timeline = FleetTimeline._create(`${f.name} (${path.relative(process.cwd(), f.file) || f.file})`, f.engine, f.waves);
    io.out(timeline.toTable() + f.notes.map((n) => `- Note: ${n}\n`).join('') + '\n');
    write(f.name, timeline.toSvg());
  }
  return 0;
}

/** The version in the package's package.json (two folders up from src/cli and lib/cli). */
function version(): string {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
}

function slug(name: string): string {
  return name.replace(/^AWS::[A-Za-z]+::/, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  });
}
