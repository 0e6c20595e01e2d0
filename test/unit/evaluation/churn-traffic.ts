import * as fs from 'node:fs';
import * as path from 'node:path';
import { bufferSource } from '../../../functions/contracts/byte-source';
import type { DatasetProfile } from '../../../functions/contracts/contract-report';
import { loadContract } from '../../../functions/contracts/odcs-contract';
import { validateStream } from '../../../functions/contracts/validate-stream';
import { churnCsv } from '../../fixtures/churn/small-batch';
import { captureLine, groundTruthLine } from './capture-lines';
import { seededRandom } from './seeded-random';

const CONTRACT = path.resolve(import.meta.dirname, '../../../pipelines/churn/contract.yaml');

/** The churn contract's compiled plan. */
export const churnPlan = () => loadContract(fs.readFileSync(CONTRACT, 'utf8'), 'pipelines/churn/contract.yaml').plan;

/** The model's features, in request order. */
export const CHURN_FEATURES = [
  'tenure_months',
  'monthly_charges',
  'total_charges',
  'contract_type',
  'payment_method',
  'support_calls',
  'plan',
];

/** The profile the contract check makes of a churn batch: the drift baseline. */
export async function churnBaseline(rows: number, seed: number): Promise<DatasetProfile> {
  const report = await validateStream(churnPlan(), bufferSource(churnCsv(rows, seed), 'train.csv'));
  if (report.status !== 'accepted') throw new Error(`the baseline batch was rejected: ${report.rejectionReason ?? ''}`);
  return report.profile;
}

/**
 * Live churn traffic: capture lines (CSV requests of the 7 features, a score) and ground-truth lines, from a churn
 * batch. `shift` multiplies monthly charges (drift).
 */
export function churnTraffic(rows: number, seed: number, shift = 1) {
  const random = seededRandom(seed);
  const lines = churnCsv(rows, seed).trim().split('\n').slice(1);
  const captures: string[] = [];
  const labels: string[] = [];
  lines.forEach((line, i) => {
    const v = line.split(',');
    const features = v.slice(2, 9);
    features[1] = (Number(features[1]) * shift).toFixed(2);
    const label = v[9]!;
    const score = Math.min(1, Math.max(0, (label === '1' ? 0.6 : 0.3) + (random() - 0.5) * 0.6));
    const id = `req-${seed}-${i}`;
    captures.push(
      captureLine({ eventId: `ev-${seed}-${i}`, inferenceId: id, input: features.join(','), output: score.toFixed(4) }),
    );
    labels.push(groundTruthLine(id, label));
  });
  return { captures, labels };
}
