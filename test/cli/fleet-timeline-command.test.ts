/**
 * The `timeline` command on the synthesized fleet examples: the ApplicationSet with each cluster's
 * Rollout in its own folder, and the CodePipeline stages with the gate alarms of the region stacks.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthExample } from '../../scripts/synth-examples';
import { run } from '../../src/cli/main';

function runCli(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = run(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

async function synth(name: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fleet-cli-${name}-`));
  await synthExample(name, dir);
  return dir;
}

const rows = (out: string) => out.split('\n').filter((l) => /^\| (canary|quarter|rest) \|/.test(l));

test('an ApplicationSet is laid out as a fleet, each cluster taking its own Rollout with its wave\'s hold', async () => {
  const dir = await synth('fleet-argo-cd');
  const { code, out, err } = runCli('timeline', dir, '--release', 'ApplicationSet', '--target-time', '2m', '--svg', path.join(dir, 'fleet.svg'));
  expect(err).toBe('');
  expect(code).toBe(0);
  // Each cluster: 2m + its canary (3 × 5m) + its wave's hold (canary: 30m bake + 2m analysis; quarter: 15m + 2m).
  expect(rows(out)).toEqual([
    '| canary | 1 (prod-eu-1) | 1 | 0s | 49m | 49m | 30m | success-rate | 12.5% |',
    '| quarter | 2 (prod-eu-2, prod-eu-3) | 2 | 49m | 34m | 34m | 15m | success-rate | 37.5% |',
    // 50% of 5 clusters rounds down to 2: three batches of 17m.
    '| rest | 5 (prod-us-1, prod-us-2, prod-us-3, prod-ap-1, prod-ap-2) | 2 | 1h23m | 51m | 17m | - | - | 100% |',
  ]);
  expect(out).toContain('- Time to full fleet: 2h14m');
  // The canary cluster's background gate catches a broken version 3m into its Rollout.
  expect(out).toContain("- Broken from the start: gate success-rate of wave 'canary' can stop the release at 5m; by then 1 of 8 targets (12.5%) have the new version, and 0 keep it after the abort");
  expect(fs.readFileSync(path.join(dir, 'fleet.svg'), 'utf8')).toContain('Share of 8 targets on the new version over time (Argo CD progressive syncs; full fleet at 2h14m)');
});

test('CodePipeline stages are laid out as a fleet, watching the gate alarms of the region stacks for the bake', async () => {
  const dir = await synth('fleet-codepipeline');
  const { code, out } = runCli('timeline', dir, '--target-time', '5m');
  expect(code).toBe(0);
  expect(rows(out)).toEqual([
    '| canary | 1 (eu-west-1) | 1 | 0s | 35m | 5m | 30m | Checkout-eu-west-1-canary-Gate-failed-orders | 12.5% |',
    '| quarter | 2 (eu-central-1, us-east-1) | 2 | 35m | 25m | 5m | 20m | Checkout-eu-central-1-quarter-Gate-failed-orders, Checkout-us-east-1-quarter-Gate-failed-orders | 37.5% |',
    '| rest | 5 (us-west-2, ap-southeast-1, ap-northeast-1, sa-east-1, ca-central-1) | 2 | 1h | 15m | 5m | - | - | 100% |',
  ]);
  // The alarm fires after 3 one-minute periods of the 30-minute bake.
  expect(out).toContain('can stop the release at 8m; by then 1 of 8 targets (12.5%) have the new version, and 0 keep it after the abort');
});

test('fails on a target time that is not a duration', async () => {
  const dir = await synth('fleet-codepipeline');
  const { code, err } = runCli('timeline', dir, '--target-time', 'soon');
  expect(code).toBe(1);
  expect(err).toBe("--target-time: invalid 'value': must be a duration such as '30s', '5m' or '1h30m', or a number of seconds, of at most 2562047h (the longest Go parses), got \"soon\"\n");
});
