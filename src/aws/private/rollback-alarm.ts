/**
 * The default rollback alarms of an ECS release as CloudFormation alarms (`cloudwatch.CfnAlarm`) behind a
 * small `cloudwatch.IAlarm`, instead of `cloudwatch.Alarm` over `Metric` and `MathExpression` objects.
 *
 * A release creates four of them per service (two per target group), and the L2 alarm costs several
 * times its template: it renders its metric through `Metric`/`MathExpression` objects, adds three lazy
 * action lists, computes an annotation label and wraps its name and ARN in tokens that decide at
 * synthesis whether the reference crosses environments. These alarms have fixed metrics, no actions and
 * are referenced from their own stack, so none of that changes what is synthesized: the `CfnAlarm`
 * properties below are exactly what `cloudwatch.Alarm` renders for the same metrics, and the construct
 * keeps the path (`<id>/Resource`), hence the logical ID, of the L2 alarm it replaces.
 */
import { RemovalPolicy, ResourceEnvironment, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** A CloudWatch alarm made from `CfnAlarm` properties, usable wherever an `IAlarm` is. */
export class RollbackAlarm extends Construct implements cloudwatch.IAlarm {
  public readonly alarmArn: string;
  public readonly alarmName: string;
  public readonly stack: Stack;
  public readonly env: ResourceEnvironment;
  private readonly resource: cloudwatch.CfnAlarm;

  constructor(scope: Construct, id: string, props: cloudwatch.CfnAlarmProps) {
    super(scope, id);
    this.resource = new cloudwatch.CfnAlarm(this, 'Resource', props);
    this.stack = Stack.of(scope);
    this.env = { account: this.stack.account, region: this.stack.region };
    this.alarmName = this.resource.ref;
    this.alarmArn = this.resource.attrArn;
  }

  /** The alarm as a composite alarm rule (as `cloudwatch.Alarm` renders it). */
  public renderAlarmRule(): string {
    return `ALARM("${this.alarmArn}")`;
  }

  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.resource.applyRemovalPolicy(policy);
  }
}

/** The dimensions of a metric, in the order `cloudwatch.Metric` renders a `dimensionsMap` (sorted by name). */
export function dimensions(map: { [name: string]: string }): cloudwatch.CfnAlarm.DimensionProperty[] {
  return Object.keys(map).sort().map((name) => ({ name, value: map[name] }));
}
