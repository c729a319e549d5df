import { IConstruct } from 'constructs';

/** Metadata type under which synth-time warnings are recorded on a construct. */
export const WARNING_METADATA = 'release-strategies:warning';

/**
 * Records a warning on `scope` and prints it once when the app is synthesized (validated).
 * The warning stays in the construct tree, so tests and tools can read it with `warningsOf`.
 */
export function warn(scope: IConstruct, message: string): void {
  scope.node.addMetadata(WARNING_METADATA, message);
  let printed = false;
  scope.node.addValidation({
    validate: () => {
      if (!printed) process.stderr.write(`[WARNING] ${scope.node.path}: ${message}\n`);
      printed = true;
      return [];
    },
  });
}

/** Every warning recorded under `scope`, as `<path>: <message>`. */
export function warningsOf(scope: IConstruct): string[] {
  return scope.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === WARNING_METADATA)
    .map((m) => `${c.node.path}: ${m.data}`));
}
