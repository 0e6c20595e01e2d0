import { describe, expect, it } from 'vitest';

import { rocAuc } from '../../../pipelines/churn/local/binary-metrics';
import { loadChurnModel, type ChurnModel } from '../../../pipelines/churn/local/churn-model';
import { evalLine, holdOut, trainChurnModel, type LabelledRow } from '../../../pipelines/churn/local/churn-training';
import { drawBatchRows } from '../../../pipelines/churn/world/batch-files';
import { COMPETITOR_ENTERS, STEADY_MARKET, type ChurnConcept } from '../../../pipelines/churn/world/churn-concepts';
import { churnPipeline, parseMetrics } from './churn-harness';

const SETTINGS = { epochs: 120, learningRate: 0.2, l2: 1 };

function train(rows: readonly LabelledRow[], log: (line: string) => void = () => undefined): ChurnModel {
  return trainChurnModel(
    { ...holdOut(rows, 0.2), validationSource: 'holdout', files: ['a.csv'] },
    { ...SETTINGS, log },
  );
}

function aucOn(model: ChurnModel, rows: readonly LabelledRow[]): number {
  const predictor = loadChurnModel(JSON.stringify(model));
  return rocAuc(
    rows.map((row) => predictor.score(row)),
    rows.map((row) => row.churned),
  );
}

const world = (seed: number, rows: number, concept: ChurnConcept) => drawBatchRows(seed, rows, { concept });

describe('trainChurnModel', () => {
  it('clears the quality gate on a small batch, logging lines the pipeline metric definitions parse', () => {
    const lines: string[] = [];
    const model = train(world(61, 6000, STEADY_MARKET), (line) => lines.push(line));
    const gate = churnPipeline().gate;

    const metrics = parseMetrics(lines.join('\n'));

    expect(lines).toHaveLength(SETTINGS.epochs);
    expect(lines[0]).toMatch(
      /^\[0\]#011train-logloss:[0-9.]+#011validation-auc:[0-9.]+#011validation-logloss:[0-9.]+$/,
    );
    expect(metrics['validation:auc']).toBeCloseTo(model.training.validationAuc ?? 0, 4);
    expect(metrics['validation:logloss']).toBeCloseTo(model.training.validationLogLoss, 4);
    expect(metrics['validation:auc']).toBeGreaterThan((gate.minimum ?? 1) + 0.05);
    expect(metrics['validation:logloss']).toBeLessThan(gate.guards[0]?.maximum ?? 0);
    expect(model.training).toMatchObject({ validationSource: 'holdout', files: ['a.csv'], epochs: SETTINGS.epochs });
  });

  it('saves a model that loads back and scores as trained, unseen categories included', () => {
    const model = train(world(62, 3000, STEADY_MARKET));
    const predictor = loadChurnModel(JSON.stringify(model));
    const customer = {
      tenure_months: 2,
      monthly_charges: 80,
      total_charges: 150,
      contract_type: 'month-to-month',
      payment_method: 'Electronic check',
      support_calls: 4,
      plan: 'standard',
    };

    expect(model.featureOrder).toContain('payment_method=Digital wallet (Apple Pay, Google Pay)');
    expect(model.featureOrder).toContain('total_charges:missing');
    expect(predictor.score(customer)).toBeGreaterThan(predictor.score({ ...customer, contract_type: 'two-year' }));
    expect(predictor.score({ ...customer, payment_method: 'Cryptocurrency' })).toBeGreaterThan(0);
    expect(predictor.score({ ...customer, total_charges: null })).toBeGreaterThan(0);
  });

  it('is deterministic: the same rows give the same weights', () => {
    const rows = world(63, 2000, STEADY_MARKET);

    expect(train(rows).weights).toEqual(train(rows).weights);
  });

  it('under concept shift: the old model falls below 0.7 while a model retrained on new labels recovers', () => {
    const oldModel = train(world(64, 10_000, STEADY_MARKET));
    const shiftedTest = world(65, 5000, COMPETITOR_ENTERS);
    const retrained = train(world(66, 10_000, COMPETITOR_ENTERS));

    const oldAuc = aucOn(oldModel, shiftedTest);
    const newAuc = aucOn(retrained, shiftedTest);

    expect(aucOn(oldModel, world(67, 5000, STEADY_MARKET))).toBeGreaterThan(0.78);
    expect(oldAuc).toBeLessThan(0.65);
    expect(newAuc).toBeGreaterThan(0.8);
    expect(newAuc - oldAuc).toBeGreaterThan(0.15);
  });
});

describe('holdOut', () => {
  it('puts about the share in validation, by customer and independent of row order', () => {
    const rows = world(68, 10_000, STEADY_MARKET);
    const split = holdOut(rows, 0.2);
    const reversed = holdOut([...rows].reverse(), 0.2);
    const ids = (list: readonly LabelledRow[]) => new Set(list.map((row) => row.customer_id));

    expect(split.validation.length / rows.length).toBeGreaterThan(0.18);
    expect(split.validation.length / rows.length).toBeLessThan(0.22);
    expect(ids(reversed.validation)).toEqual(ids(split.validation));
    expect(split.train.length + split.validation.length).toBe(rows.length);
  });
});

describe('evalLine', () => {
  it('writes nan when the AUC is undefined, which the metric regex does not match', () => {
    const line = evalLine(3, 0.5, Number.NaN, 0.6);

    expect(line).toBe('[3]#011train-logloss:0.50000#011validation-auc:nan#011validation-logloss:0.60000');
    expect(parseMetrics(line)).toEqual({ 'validation:logloss': 0.6 });
  });
});
