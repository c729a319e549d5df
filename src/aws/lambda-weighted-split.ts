import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { failWith } from './private/schedule';
import { numberNow, showNumber } from './private/tokens';
import { checkNonEmpty, fail } from '../private/validate';

/** Properties for `LambdaWeightedSplit`. */
export interface LambdaWeightedSplitProps {
  /** Name of the alias the construct creates (callers invoke `<function>:<aliasName>`). */
  readonly aliasName: string;
  /** The version that takes the rest of the traffic. */
  readonly version: lambda.IVersion;
  /** The second version, of the same function, that takes `splitPercent` of the invocations. */
  readonly splitVersion: lambda.IVersion;
  /**
   * Share of invocations, in percent, that go to `splitVersion`: more than 0 and less than 100, in
   * steps of 0.01 (Lambda takes the weight as a fraction). A token must resolve to a number at synth
   * (a `Lazy`); a CloudFormation parameter is refused, since the weight is computed from it.
   */
  readonly splitPercent: number;
  /**
   * Description of the alias.
   * @default - no description
   */
  readonly description?: string;
}

/**
 * A fixed weighted split of a Lambda function's invocations between two versions through one alias,
 * with no progression: an A/B test or a long-running comparison, changed only by a stack update.
 *
 * Synthesizes one `AWS::Lambda::Alias` whose `RoutingConfig` sends `splitPercent` of the invocations
 * to `splitVersion` and the rest to `version`. Lambda chooses the version per invocation, so a caller
 * is not pinned to one version. For a split that grows on a schedule and rolls back on alarms, use
 * `LambdaCanaryRollout`.
 *
 * @example
 * new LambdaWeightedSplit(stack, 'Pricing', { aliasName: 'live', version: stable, splitVersion: candidate, splitPercent: 5 });
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html
 */
export class LambdaWeightedSplit extends Construct {
  /** The alias. */
  public readonly alias: lambda.Alias;
  /** Share of invocations, in percent, that go to `splitVersion`. */
  public readonly splitPercent: number;

  constructor(scope: Construct, id: string, props: LambdaWeightedSplitProps) {
    super(scope, id);
    const where = this.node.path;
    checkNonEmpty(where, 'aliasName', props.aliasName);
    for (const field of ['version', 'splitVersion'] as const) {
      const version = props[field];
      if (version === undefined || version === null || typeof version.version !== 'string' || version.lambda === undefined) {
        fail(where, field, 'must be a Lambda version (lambda.IVersion)', version);
      }
      if (version.version === '$LATEST') {
        failWith(where, field, 'must be a published version: Lambda cannot weight an alias with $LATEST', "'$LATEST'");
      }
    }
    if (props.version === props.splitVersion
      || (!Token.isUnresolved(props.version.version) && props.version.version === props.splitVersion.version
        && props.version.lambda.functionArn === props.splitVersion.lambda.functionArn)) {
      failWith(where, 'splitVersion', 'must differ from version: the split weighs two versions', `${props.splitVersion.node.path} twice`);
    }
    if (props.version.lambda.functionArn !== props.splitVersion.lambda.functionArn) {
      failWith(where, 'splitVersion', 'must be a version of the same function as version: an alias routes within one function',
        `a version of ${props.splitVersion.lambda.node.path}`);
    }
    const percent = numberNow(this, props.splitPercent);
    if (percent === undefined) {
      failWith(where, 'splitPercent', 'must be a number known at synth (Lambda takes splitPercent / 100 as the weight, which CloudFormation cannot compute)',
        showNumber(this, props.splitPercent));
    }
    const hundredths = percent * 100;
    if (typeof percent !== 'number' || !Number.isFinite(percent) || percent <= 0 || percent >= 100 || Math.abs(hundredths - Math.round(hundredths)) > 1e-6) {
      fail(where, 'splitPercent', 'must be a number above 0 and below 100, in steps of 0.01', percent);
    }
    this.splitPercent = percent;
    // Percent to a fraction without binary noise (12.3 becomes 0.123, not 0.12300000000000001).
    const weight = Math.round(hundredths) / 10000;
    this.alias = new lambda.Alias(this, 'Alias', {
      aliasName: props.aliasName,
      version: props.version,
      additionalVersions: [{ version: props.splitVersion, weight }],
      description: props.description,
    });
  }
}
