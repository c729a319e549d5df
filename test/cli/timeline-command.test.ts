import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { run } from '../../src/cli/main';
import { FoundRelease, readReleases, readTemplate } from '../../src/cli/read-releases';
import { ReleaseTimeline } from '../../src/strategy/release-timeline';
import { expectValidManifests } from '../schema-validation';

const FIXTURES = path.join(__dirname, 'fixtures');

function release(target: string, name: string): FoundRelease {
  const found = readReleases(path.join(FIXTURES, target)).find((r) => r.name === name);
  if (!found) throw new Error(`no release ${name} in ${target}`);
  return found;
}

function timelineOf(r: FoundRelease): ReleaseTimeline {
  return ReleaseTimeline._fromSchedule(r.name, r.schedule, { engine: r.engine });
}

function runCli(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = run(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

test('the Kubernetes fixtures are what the controllers accept (strict schemas)', () => {
  for (const dir of ['argo', 'flagger']) {
    for (const file of fs.readdirSync(path.join(FIXTURES, dir))) {
      const objects = YAML.parseAllDocuments(fs.readFileSync(path.join(FIXTURES, dir, file), 'utf8')).map((d) => d.toJS());
      expectValidManifests(objects);
    }
  }
});

describe('Argo Rollouts', () => {
  test('canary steps, inline and background analysis become a plan', () => {
    const r = release('argo', 'Rollout checkout');
    expect(r.schedule.steps.map((s) => s.label)).toEqual([
      'setWeight(10)', 'bake(5m)', 'analysis(success-rate)', 'setWeight(50)', 'pause()', 'setWeight(80)', 'bake(5m)',
    ]);
    expect(r.schedule.steps[2].gates).toEqual([{ name: 'success-rate', intervalSeconds: 60, count: 3, failureLimit: 1, initialDelaySeconds: 0 }]);
    expect(r.schedule.backgroundGates).toEqual([{ name: 'errors', intervalSeconds: 30, count: undefined, failureLimit: 2, initialDelaySeconds: 0 }]);
    expect(r.schedule.backgroundStartStep).toBe(1);
    expect(r.engine.name).toBe('Argo Rollouts');
    expect(r.engine.scaleDownSeconds).toBe(120);
  });

  test('timeline numbers', () => {
    const t = timelineOf(release('argo', 'Rollout checkout'));
    // 5m bake + 2m analysis (measurements at 5m, 6m, 7m) + manual pause + 5m bake
    expect(t.fullTrafficAtSeconds).toBe(720);
    expect(t.unboundedStepsBeforeFullTraffic).toBe(1);
    expect(t.totalDurationSeconds).toBeUndefined();
    // Background 'errors' measures from step 2 (t = 0) every 30 s; the third failure (failureLimit 2)
    // at 90 s aborts: 10% × 90 s = 9 s of all traffic.
    expect(t.brokenFromStart).toMatchObject({ caught: true, detectedBy: 'errors', abortAfterSeconds: 90, trafficSeconds: 9, peakWeight: 10 });
    // Fastest gate: errors, 3 × 30 s = 90 s (success-rate: 2 × 60 s = 120 s)
    // abortScaleDownDelaySeconds: 120 from the Rollout
    expect(t.rollbacks.find((x) => x.engine === 'Argo Rollouts')).toMatchObject({ detectionSeconds: 90, scaleDownSeconds: 120 });
  });

  test('a blue/green Rollout: pre-promotion analysis, auto-promotion delay, switch', () => {
    const r = release('argo', 'Rollout web');
    expect(r.schedule.steps.map((s) => s.label)).toEqual(['prePromotionAnalysis(smoke)', 'bake(10m)', 'switch active service']);
    const t = timelineOf(r);
    // One measurement (no interval, count 1) takes no time; then 10 minutes; then the switch.
    expect(t.fullTrafficAtSeconds).toBe(600);
    expect(t.segments.find((s) => s.label === 'switch active service')).toMatchObject({ weight: 100, startSeconds: 600 });
  });
});

describe('Flagger', () => {
  test('stepWeight up to maxWeight, one analysis interval per step; checks become one background gate', () => {
    const r = release('flagger', 'Canary podinfo');
    expect(r.schedule.steps.filter((s) => s.label.startsWith('setWeight')).map((s) => s.weight)).toEqual([10, 20, 30, 40, 50]);
    expect(r.schedule.backgroundGates).toEqual([{
      name: 'request-success-rate + request-duration + load-test', intervalSeconds: 60, failureLimit: 4, initialDelaySeconds: 0,
    }]);
    const t = timelineOf(r);
    expect(t.fullTrafficAtSeconds).toBe(300);
    // Checks fail at 1m..5m; threshold 5 is reached at 5m and Flagger rolls back on the next tick, 6m.
    // Traffic: 10+20+30+40+50 % for a minute each = 90 s, then 50% for the last minute = 30 s.
    expect(t.brokenFromStart).toMatchObject({ caught: true, abortAfterSeconds: 360, trafficSeconds: 120, peakWeight: 50 });
  });
});

describe('CloudFormation', () => {
  test('an ECS CANARY deployment with a rollback alarm', () => {
    const r = release('aws', 'AWS::ECS::Service ApiService');
    expect(r.schedule.steps.map((s) => s.label)).toEqual(['setWeight(10)', 'bake(5m)', 'setWeight(100)', 'bake(15m) with blue kept']);
    expect(r.schedule.backgroundGates).toEqual([{ name: 'ApiTargetErrors', intervalSeconds: 60, failureLimit: 1, initialDelaySeconds: 0 }]);
    const t = timelineOf(r);
    expect(t.fullTrafficAtSeconds).toBe(300);
    expect(t.totalDurationSeconds).toBe(1200);
    // 2 datapoints of 60 s: alarm at 120 s; 10% × 120 s = 12 s
    expect(t.brokenFromStart).toMatchObject({ abortAfterSeconds: 120, trafficSeconds: 12 });
  });

  test('a predefined CodeDeploy Lambda linear configuration', () => {
    const r = release('aws', 'AWS::CodeDeploy::DeploymentGroup FnDeploymentGroup');
    expect(r.schedule.steps.filter((s) => s.label.startsWith('setWeight')).map((s) => s.weight)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    const t = timelineOf(r);
    expect(t.fullTrafficAtSeconds).toBe(540);
    // DatapointsToAlarm defaults to EvaluationPeriods (2): alarm at 120 s; 10% × 60 s + 20% × 60 s = 18 s
    expect(t.brokenFromStart).toMatchObject({ detectedBy: 'FnErrors', abortAfterSeconds: 120, trafficSeconds: 18 });
  });

  test('a custom CodeDeploy canary configuration with a termination wait', () => {
    const r = release('aws', 'AWS::CodeDeploy::DeploymentGroup EcsDeploymentGroup');
    expect(r.schedule.steps.map((s) => s.label)).toEqual(['setWeight(20)', 'bake(10m)', 'setWeight(100)', 'bake(30m) with original kept']);
    expect(r.schedule.backgroundGates).toEqual([]);
    const t = timelineOf(r);
    expect(t.fullTrafficAtSeconds).toBe(600);
    expect(t.brokenFromStart).toMatchObject({ caught: false });
  });

  test('fails when an ECS deployment does not set its bake time', () => {
    const template = { Resources: { Svc: { Type: 'AWS::ECS::Service', Properties: { DeploymentConfiguration: { Strategy: 'BLUE_GREEN' } } } } };
    expect(() => readTemplate('t.json', template)).toThrow("AWS::ECS::Service Svc: invalid 'DeploymentConfiguration.BakeTimeInMinutes': must be set in the template (the timeline does not guess ECS's default bake time), got nothing");
  });

  test('fails when a rollback alarm is not in the template', () => {
    const template = { Resources: { Svc: { Type: 'AWS::ECS::Service', Properties: { DeploymentConfiguration: { Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 5, Alarms: { Enable: true, Rollback: true, AlarmNames: ['shop-5xx'] } } } } } };
    expect(() => readTemplate('t.json', template)).toThrow("AWS::ECS::Service Svc DeploymentConfiguration.Alarms: invalid 'alarms[0]': must be a { Ref } to an AWS::CloudWatch::Alarm in the same template (alarm names from elsewhere have no timing to read), got \"shop-5xx\"");
  });

  test('fails on an unknown CodeDeploy configuration name', () => {
    const template = { Resources: { G: { Type: 'AWS::CodeDeploy::DeploymentGroup', Properties: { DeploymentConfigName: 'CodeDeployDefault.OneAtATime' } } } };
    expect(() => readTemplate('t.json', template)).toThrow("AWS::CodeDeploy::DeploymentGroup G: invalid 'DeploymentConfigName': must be a predefined CodeDeployDefault.Lambda* or CodeDeployDefault.ECS* configuration, or a Ref to an AWS::CodeDeploy::DeploymentConfig, got \"CodeDeployDefault.OneAtATime\"");
  });
});

describe('the command', () => {
  test('prints a table per release and writes one SVG per release', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-'));
    const { code, out, err } = runCli('timeline', path.join(FIXTURES, 'aws'), '--svg', path.join(dir, 'chart.svg'));
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('### AWS::ECS::Service ApiService');
    expect(out).toContain('| 2 | bake(5m) | 0s | 5m | 10% | ApiTargetErrors (background) |');
    expect(out).toContain('- Time to full rollout: 9m');
    expect(fs.readdirSync(dir).sort()).toEqual(['chart-deploymentgroup-ecsdeploymentgroup.svg', 'chart-deploymentgroup-fndeploymentgroup.svg', 'chart-service-apiservice.svg']);
    expect(fs.readFileSync(path.join(dir, 'chart-service-apiservice.svg'), 'utf8')).toContain('abort at 2m if broken from the start (ApiTargetErrors)');
  });

  test('--release picks releases by name; a single release writes the SVG path as given', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-'));
    const { code, out } = runCli('timeline', path.join(FIXTURES, 'argo'), '--release', 'checkout', '--svg', path.join(dir, 'checkout.svg'));
    expect(code).toBe(0);
    expect(out).toContain('### Rollout checkout');
    expect(out).not.toContain('Rollout web');
    expect(out).toContain('| 5 | pause() | 7m | unknown (manual) | 50% | errors (background) |');
    expect(fs.existsSync(path.join(dir, 'checkout.svg'))).toBe(true);
  });

  test('fails with usage when the command or its argument is missing', () => {
    expect(runCli()).toMatchObject({ code: 2 });
    const missing = runCli('timeline');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('Missing the file or folder to read.');
    const unknown = runCli('plot', 'x');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("Unknown command 'plot'.");
    expect(runCli('timeline', 'a', '--svg').err).toContain('--svg needs a value.');
  });

  test('fails when nothing can be read', () => {
    const missing = runCli('timeline', path.join(FIXTURES, 'nope'));
    expect(missing).toMatchObject({ code: 1, err: `${path.join(FIXTURES, 'nope')}: no such file or folder\n` });
    const none = runCli('timeline', path.join(FIXTURES, 'argo'), '--release', 'nothing-like-this');
    expect(none.code).toBe(1);
    expect(none.err).toContain('No release found in');
  });

  test('fails on a Rollout step the timeline does not model', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-'));
    fs.writeFileSync(path.join(dir, 'app.k8s.yaml'), YAML.stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'x' },
      spec: { strategy: { canary: { steps: [{ setWeight: 10 }, { experiment: { templates: [] } }] } } },
    }));
    const { code, err } = runCli('timeline', dir);
    expect(code).toBe(1);
    expect(err).toBe("Rollout x: invalid 'spec.strategy.canary.steps[1]': must be a setWeight, pause, analysis, setCanaryScale, setHeaderRoute or setMirrorRoute step (experiment and plugin steps are not modelled), got [\"experiment\"]\n");
  });

  test('fails when an analysis names a template that is not in the output', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-'));
    fs.writeFileSync(path.join(dir, 'app.k8s.yaml'), YAML.stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'x' },
      spec: { strategy: { canary: { steps: [{ setWeight: 10 }, { analysis: { templates: [{ templateName: 'gone' }] } }] } } },
    }));
    const { code, err } = runCli('timeline', dir);
    expect(code).toBe(1);
    expect(err).toBe("Rollout x: invalid 'templates[0].templateName': must name a AnalysisTemplate in the same output, got \"gone\"\n");
  });
});

describe('command-line conventions', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

  test.each([['--help'], ['-h']])('%s prints the tool\'s usage, listing its commands, and exits 0', (flag) => {
    const { code, out, err } = runCli(flag);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^Usage: release-strategies <command> \[options\]\n/);
    expect(out).toContain('  timeline <file-or-folder>');
    expect(out).toContain('--version');
  });

  test.each([['--help'], ['-h']])('timeline %s prints the command\'s usage and exits 0, whatever else is given', (flag) => {
    for (const argv of [['timeline', flag], ['timeline', 'some/dir', '--svg', 'x.svg', flag]]) {
      const { code, out, err } = runCli(...argv);
      expect({ code, err }).toEqual({ code: 0, err: '' });
      expect(out).toMatch(/^Usage: release-strategies timeline <file-or-folder> \[--svg <out.svg>\] \[--release <text>\]\n/);
      expect(out).toContain('--release <text>');
    }
  });

  test('--version prints the version from package.json', () => {
    expect(runCli('--version')).toEqual({ code: 0, out: `${pkg.version}\n`, err: '' });
  });

  test('fails with the tool\'s usage on stderr when no command is given', () => {
    const { code, out, err } = runCli();
    expect({ code, out }).toEqual({ code: 2, out: '' });
    expect(err).toMatch(/^Usage: release-strategies <command>/);
  });

  test('fails without a stack trace when the chart cannot be written', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-'));
    fs.writeFileSync(path.join(dir, 'not-a-folder'), '');
    const svg = path.join(dir, 'not-a-folder', 'chart.svg');
    const { code, err } = runCli('timeline', path.join(FIXTURES, 'argo'), '--release', 'checkout', '--svg', svg);
    expect(code).toBe(1);
    expect(err).toBe(`Cannot write the chart to ${svg}: EEXIST: file already exists, mkdir '${path.dirname(svg)}'\n`);
  });

  test('fails without a stack trace on an error it did not foresee', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-'));
    fs.symlinkSync(path.join(dir, 'gone'), path.join(dir, 'app.k8s.yaml'));
    const { code, err } = runCli('timeline', dir);
    expect(code).toBe(1);
    expect(err).toBe(`release-strategies: ENOENT: no such file or directory, open '${path.join(dir, 'app.k8s.yaml')}'\n`);
  });
});

describe('release names', () => {
  function withPaths(): any {
    const template = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'aws', 'ecs.template.json'), 'utf8'));
    template.Resources.ApiService.Metadata = { 'aws:cdk:path': 'shop/Api/Service/Service' };
    return template;
  }

  test('a CloudFormation release is named by the construct path the AWS CDK recorded', () => {
    expect(readTemplate('t.json', withPaths()).map((r) => r.name)).toEqual(['AWS::ECS::Service shop/Api/Service/Service']);
    const group = {
      Resources: {
        FnDeploymentGroup0A1B2C3D: {
          Type: 'AWS::CodeDeploy::DeploymentGroup',
          Properties: { DeploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce' },
          Metadata: { 'aws:cdk:path': 'shop/Fn/DeploymentGroup/Resource' },
        },
      },
    };
    expect(readTemplate('t.json', group).map((r) => r.name)).toEqual(['AWS::CodeDeploy::DeploymentGroup shop/Fn/DeploymentGroup']);
  });

  test('without that metadata, by its logical ID', () => {
    expect(readTemplate('t.json', JSON.parse(fs.readFileSync(path.join(FIXTURES, 'aws', 'ecs.template.json'), 'utf8'))).map((r) => r.name))
      .toEqual(['AWS::ECS::Service ApiService']);
  });

  test('--release and the chart file names use the construct path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-'));
    fs.writeFileSync(path.join(dir, 'shop.template.json'), JSON.stringify(withPaths()));
    const { code, out } = runCli('timeline', dir, '--release', 'shop/Api', '--svg', path.join(dir, 'out', 'chart.svg'));
    expect(code).toBe(0);
    expect(out).toContain('### AWS::ECS::Service shop/Api/Service/Service');
    expect(fs.readdirSync(path.join(dir, 'out'))).toEqual(['chart.svg']);
  });

  test('an error about a release names it by its construct path', () => {
    const template = withPaths();
    delete template.Resources.ApiService.Properties.DeploymentConfiguration.BakeTimeInMinutes;
    expect(() => readTemplate('t.json', template)).toThrow("AWS::ECS::Service shop/Api/Service/Service: invalid 'DeploymentConfiguration.BakeTimeInMinutes': must be set in the template (the timeline does not guess ECS's default bake time), got nothing");
  });
});
