/**
 * One member of a fleet: a Kubernetes cluster, an AWS region, or an account and region, that a
 * `WavePlan` releases to.
 *
 * Renderers extend it with what their engine needs to reach the target (an Argo CD cluster's API
 * server, the AWS stack deployed in a region).
 */
export interface FleetTarget {
  /**
   * Name of the target, unique in the fleet: a DNS-1123 label (lower-case letters, digits and '-', at
   * most 63 characters), e.g. `prod-eu-1` or `eu-west-1`. It names the target in waves
   * (`WaveTargets.names()`), in Argo CD Application names and in CodePipeline action names.
   */
  readonly name: string;
  /**
   * Labels a wave can select the target by (`WaveTargets.labels()`), e.g. `{ region: 'eu', tier: 'edge' }`.
   * @default - no labels
   */
  readonly labels?: { [key: string]: string };
}
