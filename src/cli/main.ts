#!/usr/bin/env node
/**
 * The `release-strategies` command.
 *
 *   release-strategies timeline <file-or-folder> [--svg <out.svg>] [--release <name>] [--target-time <duration>]
 *
 * Reads synthesized output (cdk8s YAML, CloudFormation templates) back into release plans and prints
 * each one's timeline as a Markdown table; `--svg` also writes the chart (one file per release when
 * there are several: `out-<release>.svg`). Fleet releases (Argo CD ApplicationSets with progressive
 * syncs, CodePipeline waves) are laid out as fleets.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FoundFleet, readFleets } from './read-fleets';
import { durationSeconds, FoundRelease, readFiles, ReadError, releasesIn } from './read-releases';
import { FleetTimeline } from '../strategy/fleet-timeline';
import { ReleaseTimeline } from '../strategy/release-timeline';

const USAGE = `Usage: release-strategies timeline <file-or-folder> [--svg <out.svg>] [--release <name>] [--target-time <duration>]

Reads synthesized output (*.k8s.yaml from cdk8s, *.template.json from the AWS CDK) and shows each
release's timeline: Argo Rollouts Rollouts, Flagger Canaries, ECS services with BLUE_GREEN, CANARY or
LINEAR deployments, and CodeDeploy deployment groups; and fleets: Argo CD ApplicationSets with
progressive syncs (each cluster's Rollout read from a folder named after the cluster) and CodePipeline
stages of CloudFormation deploys.

  --svg <file>       also write the chart as SVG (with several releases: <file>-<release>.svg)
  --release <text>   only releases whose name contains <text>
  --target-time <d>  fleets: time one target's update takes besides its Rollout, e.g. 5m (default 0s)
`;

/** Output streams, so tests can capture them. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Runs the command; returns the exit code (0 done, 1 error, 2 usage). */
export function run(argv: string[], io: Io): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'timeline') {
    io.err(`Unknown command '${command}'.\n\n${USAGE}`);
    return 2;
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
        io.err(`${arg} needs a value.\n\n${USAGE}`);
        return 2;
      }
      if (arg === '--svg') svg = value;
      else if (arg === '--release') filter = value;
      else targetTime = value;
    } else if (arg.startsWith('-')) {
      io.err(`Unknown option '${arg}'.\n\n${USAGE}`);
      return 2;
    } else if (target === undefined) {
      target = arg;
    } else {
      io.err(`Only one file or folder, got '${target}' and '${arg}'.\n\n${USAGE}`);
      return 2;
    }
  }
  if (target === undefined) {
    io.err(`Missing the file or folder to read.\n\n${USAGE}`);
    return 2;
  }
  let releases: FoundRelease[];
  let fleets: FoundFleet[];
  try {
    const files = readFiles(target);
    const all = releasesIn(files);
    const root = fs.statSync(target).isDirectory() ? target : path.dirname(target);
    fleets = readFleets(root, files, all, durationSeconds('--target-time', 'value', targetTime)).filter((r) => filter === undefined || r.name.includes(filter));
    releases = all.filter((r) => filter === undefined || r.name.includes(filter));
  } catch (e) {
    if (e instanceof ReadError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (releases.length === 0 && fleets.length === 0) {
    io.err(`No release found in ${target}${filter ? ` matching '${filter}'` : ''} (looked for Argo Rollouts, Flagger Canaries, ECS deployment configurations, CodeDeploy deployment groups, ApplicationSets with progressive syncs and CodePipeline deploy stages).\n`);
    return 1;
  }
  const count = releases.length + fleets.length;
  const write = (name: string, chart: string) => {
    if (svg === undefined) return;
    const file = count === 1 ? svg : svg.replace(/(\.svg)?$/, `-${slug(name)}.svg`);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, chart);
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

function slug(name: string): string {
  return name.replace(/^AWS::[A-Za-z]+::/, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  });
}
