/**
 * The CodeDeploy engine's default trigger: a stack update that registers a new task definition starts a
 * CodeDeploy deployment and waits for it. The handlers are the exact inline code the custom resource
 * ships, run here against a stubbed CodeDeploy client.
 */
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ecsFixtures, errorOf, onlyResource, resourcesOfType, testStack } from './fixtures';
import { EcsBlueGreenService, EcsCanaryRollout, EcsCodeDeployTrigger, EcsDeploymentEngine, Interval, RolloutPlan, Step } from '../../src';
import { CODEDEPLOY_DEPLOYMENT_HANDLER } from '../../src/aws/private/codedeploy-deployment-handler';

interface Call { readonly command: string; readonly input: any }

/** Loads the handler code with `@aws-sdk/client-codedeploy` replaced by a client that answers `respond`. */
function loadHandler(respond: (command: string, input: any) => any) {
  const calls: Call[] = [];
  const command = (name: string) => class { public readonly name = name; constructor(public readonly input: any) {} };
  const sdk = {
    CodeDeployClient: class {
      public async send(c: { name: string; input: any }) {
        calls.push({ command: c.name, input: c.input });
        return respond(c.name, c.input);
      }
    },
    CreateDeploymentCommand: command('CreateDeployment'),
    GetDeploymentCommand: command('GetDeployment'),
    StopDeploymentCommand: command('StopDeployment'),
  };
  const module = { exports: {} as any };
  const fakeRequire = (name: string) => {
    if (name !== '@aws-sdk/client-codedeploy') throw new Error(`unexpected require ${name}`);
    return sdk;
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'exports', 'module', 'console', CODEDEPLOY_DEPLOYMENT_HANDLER)(fakeRequire, module.exports, module, { log: () => undefined });
  return { handler: module.exports as { onEvent: (e: any) => Promise<any>; isComplete: (e: any) => Promise<any> }, calls };
}

const PROPS = {
  ApplicationName: 'shop-app',
  DeploymentGroupName: 'shop-group',
  TaskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:8',
  AppSpec: '{"version":0.0,"Resources":[]}',
  TimeoutSeconds: '1800',
};

describe('the deployment handler', () => {
  test('an update with a new task definition creates a deployment with the AppSpec content', async () => {
    const { handler, calls } = loadHandler(() => ({ deploymentId: 'd-NEW' }));
    const out = await handler.onEvent({
      RequestType: 'Update',
      PhysicalResourceId: 'shop-app/shop-group',
      ResourceProperties: PROPS,
      OldResourceProperties: { ...PROPS, TaskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:7' },
    });
    expect(calls).toEqual([{
      command: 'CreateDeployment',
      input: {
        applicationName: 'shop-app',
        deploymentGroupName: 'shop-group',
        revision: { revisionType: 'AppSpecContent', appSpecContent: { content: '{"version":0.0,"Resources":[]}' } },
        description: 'Stack update: arn:aws:ecs:eu-west-1:111111111111:task-definition/web:8',
      },
    }]);
    expect(out.PhysicalResourceId).toBe('shop-app/shop-group');
    expect(out.Data.DeploymentId).toBe('d-NEW');
    expect(Number(out.Data.Deadline)).toBeGreaterThan(Date.now() + 1790 * 1000);
  });

  test.each([
    ['Create', undefined],
    ['Delete', undefined],
    ['Update', PROPS],
  ])('a %s with an unchanged task definition starts nothing', async (RequestType, OldResourceProperties) => {
    const { handler, calls } = loadHandler(() => { throw new Error('no call expected'); });
    const out = await handler.onEvent({ RequestType, ResourceProperties: PROPS, OldResourceProperties });
    expect(calls).toEqual([]);
    expect(out).toEqual({ PhysicalResourceId: 'shop-app/shop-group', Data: { DeploymentId: '' } });
  });

  const waiting = (deadline = Date.now() + 60_000) => ({ ResourceProperties: PROPS, Data: { DeploymentId: 'd-NEW', Deadline: String(deadline) } });

  test('waits while the deployment is in progress', async () => {
    const { handler } = loadHandler(() => ({ deploymentInfo: { status: 'InProgress', instanceTerminationWaitTimeStarted: false } }));
    expect(await handler.isComplete(waiting())).toEqual({ IsComplete: false });
  });

  test.each([
    [{ status: 'Succeeded' }],
    [{ status: 'InProgress', instanceTerminationWaitTimeStarted: true }],
  ])('completes when production traffic is on the new tasks: %p', async (deploymentInfo) => {
    const { handler, calls } = loadHandler(() => ({ deploymentInfo }));
    expect(await handler.isComplete(waiting())).toEqual({ IsComplete: true, Data: { DeploymentId: 'd-NEW' } });
    expect(calls).toEqual([{ command: 'GetDeployment', input: { deploymentId: 'd-NEW' } }]);
  });

  test('a failed, rolled-back deployment fails the stack update with CodeDeploy\'s reason', async () => {
    const { handler } = loadHandler(() => ({
      deploymentInfo: {
        status: 'Failed',
        errorInformation: { code: 'ALARM_ACTIVE', message: 'One or more alarms have been activated' },
        rollbackInfo: { rollbackMessage: 'Rolled back by d-ROLLBACK' },
      },
    }));
    await expect(handler.isComplete(waiting())).rejects.toThrow(
      'CodeDeploy deployment d-NEW failed: ALARM_ACTIVE; One or more alarms have been activated; Rolled back by d-ROLLBACK; production stays on the previous task definition');
  });

  test('a stopped deployment fails the stack update', async () => {
    const { handler } = loadHandler(() => ({ deploymentInfo: { status: 'Stopped' } }));
    await expect(handler.isComplete(waiting())).rejects.toThrow('CodeDeploy deployment d-NEW stopped; production stays on the previous task definition');
  });

  test('past the deadline the deployment is stopped with rollback and the update fails', async () => {
    const { handler, calls } = loadHandler((name) => (name === 'GetDeployment' ? { deploymentInfo: { status: 'Ready' } } : {}));
    await expect(handler.isComplete(waiting(Date.now() - 1))).rejects.toThrow(
      'CodeDeploy deployment d-NEW did not move production traffic within 30 minutes (status Ready); stopped it with rollback');
    expect(calls).toContainEqual({ command: 'StopDeployment', input: { deploymentId: 'd-NEW', autoRollbackEnabled: true } });
  });

  test('no deployment started: complete at once', async () => {
    const { handler, calls } = loadHandler(() => { throw new Error('no call expected'); });
    expect(await handler.isComplete({ ResourceProperties: PROPS, Data: { DeploymentId: '' } })).toEqual({ IsComplete: true });
    expect(calls).toEqual([]);
  });
});

describe('the CodeDeploy engine deploys on stack updates by default', () => {
  function codeDeployStack() {
    const stack = testStack();
    return { stack, ...ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true }) };
  }

  test('a custom resource carries the task definition and the AppSpec to the handler, with rights on this group only', () => {
    const { stack, service, listener, taskDefinition } = codeDeployStack();
    const release = new EcsBlueGreenService(stack, 'Web', { service, listener, engine: EcsDeploymentEngine.codeDeploy() });
    const deployment = onlyResource(stack, 'Custom::CodeDeployEcsDeployment');
    const groupId = stack.getLogicalId(release.deploymentGroup!.node.defaultChild as any);
    expect(deployment.Properties).toMatchObject({
      TaskDefinition: { Ref: stack.getLogicalId(taskDefinition.node.defaultChild as any) },
      DeploymentGroupName: { Ref: groupId },
      AppSpec: stack.resolve(release.appSpec),
      TimeoutSeconds: 1800,
    });
    const statements = resourcesOfType(stack, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const create = statements.find((s) => s.Action === 'codedeploy:CreateDeployment');
    expect(JSON.stringify(create.Resource)).toContain('deploymentgroup:');
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['codedeploy:GetDeployment', 'codedeploy:StopDeployment'] }));
  });

  test('an external trigger creates no custom resource: the pipeline deploys', () => {
    const { stack, service, listener } = codeDeployStack();
    new EcsBlueGreenService(stack, 'Web', { service, listener, engine: EcsDeploymentEngine.codeDeploy({ trigger: EcsCodeDeployTrigger.EXTERNAL }) });
    expect(resourcesOfType(stack, 'Custom::CodeDeployEcsDeployment')).toEqual([]);
    expect(resourcesOfType(stack, 'AWS::CodeDeploy::DeploymentGroup')).toHaveLength(1);
  });

  test('the deployment timeout is configurable', () => {
    const { stack, service, listener } = codeDeployStack();
    new EcsCanaryRollout(stack, 'Web', {
      service,
      listener,
      engine: EcsDeploymentEngine.codeDeploy({ deploymentTimeout: Duration.minutes(55) }),
      plan: RolloutPlan.linear({ step: 20, every: Interval.minutes(10) }),
    });
    expect(onlyResource(stack, 'Custom::CodeDeployEcsDeployment').Properties.TimeoutSeconds).toBe(3300);
  });

  test('fails when the approval wait and the traffic shift do not fit in the deployment timeout', () => {
    const { stack, service, listener } = codeDeployStack();
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Web', {
      service,
      listener,
      engine: EcsDeploymentEngine.codeDeploy({ approvalTimeout: Duration.minutes(20) }),
      plan: RolloutPlan.steps([Step.pause(), Step.setWeight(20), Step.bake(Interval.minutes(10))]),
    }))).toBe("Shop/Web: invalid 'engine.deploymentTimeout': must exceed the plan's approval wait and traffic shift (30 minutes), which the stack update waits through; "
      + 'shorten the plan, or start deployments from your pipeline with trigger: EcsCodeDeployTrigger.EXTERNAL, got 30 minutes');
  });

  test.each([
    [Duration.minutes(56), 'must be whole minutes from 1 to 55 (the custom resource framework waits at most an hour), got 56 minutes'],
    [Duration.seconds(90), 'must be whole minutes from 1 to 55 (the custom resource framework waits at most an hour), got 1 minute 30 seconds'],
  ])('fails when the deployment timeout is %s', (deploymentTimeout, message) => {
    expect(errorOf(() => EcsDeploymentEngine.codeDeploy({ deploymentTimeout }))).toBe(`EcsDeploymentEngine.codeDeploy(): invalid 'deploymentTimeout': ${message}`);
  });

  test('fails when a deployment timeout comes with an external trigger', () => {
    expect(errorOf(() => EcsDeploymentEngine.codeDeploy({ trigger: EcsCodeDeployTrigger.EXTERNAL, deploymentTimeout: Duration.minutes(10) })))
      .toBe("EcsDeploymentEngine.codeDeploy(): invalid 'deploymentTimeout': applies to EcsCodeDeployTrigger.STACK_UPDATE: with an external trigger the stack update waits for no deployment, got Duration.minutes(10)");
  });
});
