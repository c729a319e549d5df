import { CfnCapabilities } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { WavePlan } from '../strategy/wave-plan';

/** What every CodePipeline rendering of a `WavePlan` takes. */
export interface CodePipelineWaveOptions {
  /**
   * The pipeline to add the waves to, after its existing stages. Bakes, gates and rollback need a V2
   * pipeline (`pipelineType: PipelineType.V2`); rollback is not available in PARALLEL execution mode.
   */
  readonly pipeline: codepipeline.Pipeline;
  /** The waves. */
  readonly plan: WavePlan;
  /**
   * Roll a wave back (CodePipeline stage rollback: its targets get what the last execution that
   * succeeded in its stage deployed) when it fails, or when an alarm goes into ALARM during its bake.
   * With `false`, the pipeline stops there and the wave keeps what was deployed.
   * @default true
   */
  readonly rollback?: boolean;
  /**
   * Capabilities the templates need.
   * @default [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND]
   */
  readonly cfnCapabilities?: CfnCapabilities[];
}
