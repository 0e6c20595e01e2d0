import type { Scenario } from './scenario';
import { brokenModel } from './scenarios/broken-model';
import { conceptShift } from './scenarios/concept-shift';
import { firstModel } from './scenarios/first-model';
import { liveEvaluation } from './scenarios/live-evaluation';
import { rejectedBatches } from './scenarios/rejected-batches';

/**
 * The scenarios `npm run demo` plays, in order; each builds on the ones before it (2 evaluates 1's champion, 3
 * compares drift with the baseline of 1's batch, 4 degrades the champion 2 measured, 5 needs a champion to protect).
 */
export const DEMO_SCENARIOS: readonly Scenario[] = [
  firstModel,
  liveEvaluation,
  rejectedBatches,
  conceptShift,
  brokenModel,
];
