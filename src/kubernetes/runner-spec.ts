/**
 * What a `MigrationRunner` gets from `ExpandContractJob` and gives back. Internal: not exported from
 * the library (the runner's `_render` method is `@internal`).
 */
import { k8s } from 'cdk8s-plus-28';
import { MigrationPhases } from '../migrations/migration-phases';
import { Phase } from '../migrations/phase';
import { Timeouts } from '../migrations/script';

/** Where the migration files are mounted in every container. */
export const MIGRATIONS_PATH = '/migrations';

/** What the Job knows when it asks a runner for its containers. */
export interface RunnerContext {
  /** Construct path, for errors. */
  readonly where: string;
  /** Base name of the migration (the Job's name without phase and hash). */
  readonly name: string;
  /** The phase this Job runs. */
  readonly phase: Phase;
  readonly phases: MigrationPhases;
  readonly timeouts: Timeouts;
  /** lock_timeout in milliseconds, for tools that take it as a number. */
  readonly lockTimeoutMs: number;
  /** Target PostgreSQL major version. */
  readonly postgresVersion: number;
  /** Whether every statement can run again after a failed or killed run. */
  readonly rerunnable: boolean;
  /** The connection and session environment every container gets, in order (later entries may reference earlier ones). */
  readonly env: k8s.EnvVar[];
}

/** One container, before the Job adds mounts, resources and its security context. */
export interface RunnerContainer {
  readonly name: string;
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  /** Extra environment, after the connection environment. */
  readonly env?: k8s.EnvVar[];
}

/** What a runner contributes to the Job. */
export interface RunnerSpec {
  /** Files of the ConfigMap mounted at MIGRATIONS_PATH: name to content. */
  readonly files: { [name: string]: string };
  /** Containers that run first, in order. */
  readonly initContainers: RunnerContainer[];
  /** The container that runs the phase. */
  readonly container: RunnerContainer;
  /**
   * Whether running the phase again after a failure is safe (it left nothing half-applied, or the tool
   * records what it applied); the Job retries only then, unless backoffLimit says otherwise.
   */
  readonly retriesAreSafe: boolean;
  /** Resource requests and limits when the Job is given none. */
  readonly defaultResources: { cpuRequest: string; cpuLimit: string; memoryRequest: string; memoryLimit: string };
}
