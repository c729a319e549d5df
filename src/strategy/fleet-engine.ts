/** The engine that runs a `WavePlan`, as `ReleaseTimeline.ofFleet()` models it. */
export enum FleetEngine {
  /**
   * Argo CD progressive syncs (`ArgoCdApplicationSet`): `maxUpdate` Applications sync at a time and a
   * step ends when all of them are Healthy. A wave's bake and gates run inside each cluster's own release
   * (the end of its Rollout), so every target takes its update time plus the hold, and a failed gate
   * aborts that cluster's Rollout and stops the plan; nothing rolls back the waves before it.
   */
  ARGO_CD = 'argoCd',
  /**
   * AWS CodePipeline (`CodePipelineWaves`): a wave's targets deploy in batches of `maxInFlight`, then
   * its alarms are watched for the bake (the stage's On Success condition); an alarm in ALARM rolls the
   * wave back and stops the pipeline; the waves before it keep the new version.
   */
  CODEPIPELINE = 'codePipeline',
}
