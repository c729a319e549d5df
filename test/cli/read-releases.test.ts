/**
 * Bad input the property test (properties.test.ts) found in the timeline command's readers, each
 * refused in the documented format now.
 */
import { readManifests, readTemplate } from '../../src/cli/read-releases';

const rollout = (strategy: any) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'web' }, spec: { strategy } });
const canary = (analysis: any) => ({ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'web' }, spec: { analysis } });
const read = (...objects: any[]) => () => readManifests('out.k8s.yaml', objects);

test('fails on a step that is not a mapping (it was a TypeError)', () => {
  expect(read(rollout({ canary: { steps: [{ setWeight: 10 }, null] } })))
    .toThrow("Rollout web: invalid 'spec.strategy.canary.steps[1]': must be a mapping, got null");
  expect(read(rollout({ canary: { steps: 'setWeight: 10' } })))
    .toThrow("Rollout web: invalid 'spec.strategy.canary.steps': must be a list, got \"setWeight: 10\"");
});

test('fails on a duration Go cannot parse', () => {
  expect(read(rollout({ canary: { steps: [{ setWeight: 10 }, { pause: { duration: '2562048h' } }] } })))
    .toThrow("Rollout web: invalid 'spec.strategy.canary.steps[1].pause.duration': must be a duration such as '30s', '5m' or '1h30m', or a number of seconds, of at most 2562047h (the longest Go parses), got \"2562048h\"");
  expect(read(rollout({ canary: { steps: [{ setWeight: 10 }, { pause: { duration: '2562047h' } }] } }))()[0].schedule.steps[1].durationSeconds).toBe(2562047 * 3600);
});

test('fails on an abort scale-down delay above 365 days with the reader\'s message (it was a stack trace from Interval.seconds())', () => {
  expect(read(rollout({ blueGreen: { abortScaleDownDelaySeconds: 40000000 } })))
    .toThrow("Rollout web: invalid 'abortScaleDownDelaySeconds': must be from 0 to 31536000 seconds (365 days), got 40000000");
});

test('fails on Flagger weights that are not whole numbers, or that would take more than 1000 steps', () => {
  expect(read(canary({ stepWeights: [5, 10.5] }))).toThrow("Canary web: invalid 'spec.analysis.stepWeights[1]': must be a whole number from 0 to 100, got 10.5");
  expect(read(canary({ stepWeight: 0.001 }))).toThrow("Canary web: invalid 'spec.analysis.stepWeight': must be a whole number from 0 to 100, got 0.001");
});

test('fails on a linear CodeDeploy percentage of 0 (it looped forever) and on minutes beyond 365 days (bake(Infinityh))', () => {
  const template = (routing: any) => ({
    Resources: {
      Group: { Type: 'AWS::CodeDeploy::DeploymentGroup', Properties: { DeploymentConfigName: { Ref: 'Config' } } },
      Config: { Type: 'AWS::CodeDeploy::DeploymentConfig', Properties: { TrafficRoutingConfig: routing } },
    },
  });
  expect(() => readTemplate('t.json', template({ Type: 'TimeBasedLinear', TimeBasedLinear: { LinearPercentage: 0, LinearInterval: 1 } })))
    .toThrow("AWS::CodeDeploy::DeploymentConfig Config: invalid 'TimeBasedLinear.LinearPercentage': must be a literal number from 1 to 100 (parameters and intrinsic functions are not resolved), got 0");
  expect(() => readTemplate('t.json', template({ Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryPercentage: 10, CanaryInterval: 3e306 } })))
    .toThrow("AWS::CodeDeploy::DeploymentConfig Config: invalid 'TimeBasedCanary.CanaryInterval': must be a literal number from 0 to 525600 (parameters and intrinsic functions are not resolved), got 3e+306");
});

test('fails on alarms that are not a list (it was a TypeError)', () => {
  const template = {
    Resources: {
      Group: {
        Type: 'AWS::CodeDeploy::DeploymentGroup',
        Properties: {
          DeploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
          AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_STOP_ON_ALARM'] },
          AlarmConfiguration: { Alarms: 'shop-5xx' },
        },
      },
    },
  };
  expect(() => readTemplate('t.json', template))
    .toThrow("AWS::CodeDeploy::DeploymentGroup Group: invalid 'AlarmConfiguration.Alarms': must be a list, got \"shop-5xx\"");
});
