/**
 * What CodePipeline accepts in an `AWS::CodePipeline::Pipeline`, beyond what cfn-lint checks: the API
 * reference's constraints on stages, actions and stage conditions, and the execution-mode rules of the
 * user guide. Used by the property test of `CodePipelineWaves` on every template it synthesizes.
 *
 * Sources: CodePipeline API reference (StageDeclaration, ActionDeclaration, BeforeEntryConditions,
 * SuccessConditions, FailureConditions: "Fixed number of 1 item"; Condition.rules: 1 to 5;
 * RuleDeclaration.name: [A-Za-z0-9.@\-_]+, 1 to 100), the user guide's stage conditions page (Entry:
 * FAIL or SKIP; On Failure: ROLLBACK or RETRY; On Success: ROLLBACK or FAIL), execution modes ("For
 * pipelines in PARALLEL mode, stage rollback is not available"), the CloudWatchAlarm rule reference
 * (AlarmName, AlarmStates ALARM/OK/INSUFFICIENT_DATA, WaitTime in minutes) and the quotas (50 actions per
 * stage, run orders 1 to 999).
 */
const NAME = /^[A-Za-z0-9.@\-_]{1,100}$/;
const RESULTS: { [type: string]: string[] } = { BeforeEntry: ['FAIL', 'SKIP'], OnSuccess: ['ROLLBACK', 'FAIL'], OnFailure: ['ROLLBACK', 'RETRY'] };

/** Every rule the pipeline breaks, as messages (empty when it breaks none). */
export function codePipelineProblems(pipeline: any): string[] {
  const p = pipeline.Properties;
  const problems: string[] = [];
  const type = p.PipelineType ?? 'V1';
  const mode = p.ExecutionMode ?? 'SUPERSEDED';
  const stages: any[] = p.Stages;
  if (stages.length < 2 || stages.length > 50) problems.push(`${stages.length} stages (2 to 50)`);
  const stageNames = new Set<string>();
  const ruleNames = new Set<string>();
  for (const s of stages) {
    const where = `stage ${s.Name}`;
    if (!NAME.test(s.Name)) problems.push(`${where}: bad name`);
    if (stageNames.has(s.Name)) problems.push(`${where}: repeated stage name`);
    stageNames.add(s.Name);
    const actions: any[] = s.Actions;
    if (actions.length < 1 || actions.length > 50) problems.push(`${where}: ${actions.length} actions (1 to 50)`);
    const actionNames = new Set<string>();
    for (const a of actions) {
      if (!NAME.test(a.Name)) problems.push(`${where}: bad action name ${a.Name}`);
      if (actionNames.has(a.Name)) problems.push(`${where}: repeated action name ${a.Name}`);
      actionNames.add(a.Name);
      const runOrder = a.RunOrder ?? 1;
      if (!Number.isInteger(runOrder) || runOrder < 1 || runOrder > 999) problems.push(`${where}: run order ${runOrder}`);
    }
    for (const kind of ['BeforeEntry', 'OnSuccess', 'OnFailure']) {
      const c = s[kind];
      if (c === undefined) continue;
      if (type !== 'V2') problems.push(`${where}: ${kind} on a ${type} pipeline`);
      if (kind === 'OnFailure' && c.Result !== undefined) {
        if (!RESULTS.OnFailure.includes(c.Result)) problems.push(`${where}: OnFailure result ${c.Result}`);
        if (c.Result === 'ROLLBACK' && mode === 'PARALLEL') problems.push(`${where}: rollback in PARALLEL mode`);
      }
      const conditions: any[] | undefined = c.Conditions;
      if (conditions === undefined) {
        if (kind !== 'OnFailure') problems.push(`${where}: ${kind} without conditions`);
        continue;
      }
      if (conditions.length !== 1) problems.push(`${where}: ${conditions.length} ${kind} conditions (exactly 1)`);
      for (const cond of conditions) {
        const rules: any[] = cond.Rules ?? [];
        if (rules.length < 1 || rules.length > 5) problems.push(`${where}: ${rules.length} rules in ${kind} (1 to 5)`);
        if (cond.Result !== undefined && !RESULTS[kind].includes(cond.Result)) problems.push(`${where}: ${kind} result ${cond.Result}`);
        if (cond.Result === 'ROLLBACK' && mode === 'PARALLEL') problems.push(`${where}: rollback in PARALLEL mode`);
        for (const r of rules) {
          if (!NAME.test(r.Name)) problems.push(`${where}: bad rule name ${r.Name}`);
          if (ruleNames.has(r.Name)) problems.push(`${where}: rule name ${r.Name} repeated in the pipeline`);
          ruleNames.add(r.Name);
          const id = r.RuleTypeId;
          if (id.Category !== 'Rule' || id.Owner !== 'AWS' || id.Version !== '1') problems.push(`${where}: rule type ${JSON.stringify(id)}`);
          if (id.Provider === 'CloudWatchAlarm') {
            const cfg = r.Configuration;
            if (typeof cfg.AlarmName !== 'string' || cfg.AlarmName.length < 1 || cfg.AlarmName.length > 255) problems.push(`${where}: alarm name ${cfg.AlarmName}`);
            if (cfg.AlarmStates !== undefined && !String(cfg.AlarmStates).split(',').every((x: string) => ['ALARM', 'OK', 'INSUFFICIENT_DATA'].includes(x))) {
              problems.push(`${where}: alarm states ${cfg.AlarmStates}`);
            }
            if (cfg.WaitTime !== undefined && !/^[1-9][0-9]*$/.test(cfg.WaitTime)) problems.push(`${where}: wait time ${cfg.WaitTime}`);
            if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(r.Region)) problems.push(`${where}: rule region ${r.Region}`);
          }
        }
      }
    }
  }
  return problems;
}
