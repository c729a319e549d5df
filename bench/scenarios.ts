/**
 * Every benchmark module. Add a module here to have bench/run.ts measure its scenarios.
 */
import { scenarios as ecs } from './ecs-canary';
import { scenarios as kubernetes } from './kubernetes';
import { Scenario } from './scenario';

/** All scenarios, in report order. */
export const ALL_SCENARIOS: Scenario[] = [
  ...kubernetes,
  ...ecs,
];
