import type { Scenario } from './scenario';
import { brokenModel } from './scenarios/broken-model';
import { firstModel } from './scenarios/first-model';
import { rejectedBatches } from './scenarios/rejected-batches';

/**
 * The scenarios `npm run demo` plays, in order; each builds on the ones before it (3 compares drift with the
 * baseline of 1's batch, 5 needs 1's champion). Scenario 2 (live traffic, ground truth, scheduled evaluation) goes
 * between 1 and 3 and scenario 4 (concept shift, degradation, retraining, canary) between 3 and 5, as modules of
 * `demo/scenarios/` once the scheduled evaluation function exists.
 */
export const DEMO_SCENARIOS: readonly Scenario[] = [firstModel, rejectedBatches, brokenModel];
