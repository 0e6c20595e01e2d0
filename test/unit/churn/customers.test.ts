import { describe, expect, it } from 'vitest';

import { rocAuc } from '../../../pipelines/churn/local/binary-metrics';
import { drawBatchRows, type BatchRow } from '../../../pipelines/churn/world/batch-files';
import { COMPETITOR_ENTERS, STEADY_MARKET } from '../../../pipelines/churn/world/churn-concepts';
import { BASELINE_POPULATION, PLANS, PRICE_HIKE_POPULATION } from '../../../pipelines/churn/world/customers';

const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const churnRate = (rows: readonly BatchRow[]) => mean(rows.map((row) => row.churned));

describe('the customer base', () => {
  const rows = drawBatchRows(31, 20_000);

  it('has right-skewed tenure with many recent customers and a long tail', () => {
    const tenure = rows.map((row) => row.tenure_months);

    expect(mean(tenure)).toBeGreaterThan(median(tenure) + 3);
    expect(tenure.filter((t) => t === 0).length / rows.length).toBeGreaterThan(0.02);
    expect(tenure.filter((t) => t > 72).length).toBeGreaterThan(10);
  });

  it('charges by plan, with totals close to tenure x monthly charge', () => {
    const byPlan = PLANS.map((plan) => median(rows.filter((r) => r.plan === plan).map((r) => r.monthly_charges)));
    const ratios = rows
      .filter((row) => row.total_charges !== null)
      .map((row) => (row.total_charges ?? 0) / (row.tenure_months * row.monthly_charges));

    expect(byPlan[0]).toBeLessThan(byPlan[1]!);
    expect(byPlan[1]).toBeLessThan(byPlan[2]!);
    expect(median(ratios)).toBeCloseTo(1, 1);
    expect(ratios.filter((r) => r > 0.85 && r < 1.15).length / ratios.length).toBeGreaterThan(0.9);
  });

  it('gives long-standing customers longer contracts and automatic payment', () => {
    const recent = rows.filter((row) => row.tenure_months < 12);
    const loyal = rows.filter((row) => row.tenure_months >= 48);
    const share = (group: readonly BatchRow[], test: (row: BatchRow) => boolean) =>
      group.filter(test).length / group.length;

    expect(share(recent, (r) => r.contract_type === 'month-to-month')).toBeGreaterThan(
      share(loyal, (r) => r.contract_type === 'month-to-month') + 0.3,
    );
    expect(share(recent, (r) => r.payment_method === 'Electronic check')).toBeGreaterThan(
      share(loyal, (r) => r.payment_method === 'Electronic check'),
    );
  });
});

describe('the steady-market concept', () => {
  const rows = drawBatchRows(32, 20_000, { concept: STEADY_MARKET });
  const rate = (test: (row: BatchRow) => boolean) => churnRate(rows.filter(test));

  it('churns about a quarter of customers, labels drawn from the true probability', () => {
    expect(churnRate(rows)).toBeGreaterThan(0.2);
    expect(churnRate(rows)).toBeLessThan(0.33);
    expect(mean(rows.map((row) => row.probability))).toBeCloseTo(churnRate(rows), 1);
  });

  it('churns month-to-month, electronic-check, short-tenure and frequently calling customers more', () => {
    expect(rate((r) => r.contract_type === 'month-to-month')).toBeGreaterThan(
      rate((r) => r.contract_type === 'one-year'),
    );
    expect(rate((r) => r.contract_type === 'one-year')).toBeGreaterThan(rate((r) => r.contract_type === 'two-year'));
    expect(rate((r) => r.payment_method === 'Electronic check')).toBeGreaterThan(
      rate((r) => r.payment_method === 'Credit card (automatic)') + 0.1,
    );
    expect(rate((r) => r.tenure_months < 6)).toBeGreaterThan(rate((r) => r.tenure_months > 48) + 0.2);
    expect(rate((r) => r.support_calls >= 4)).toBeGreaterThan(rate((r) => r.support_calls === 0) + 0.15);
  });

  it('leaves room for a model: the true probability ranks at about 0.83 ROC AUC, not 1', () => {
    const auc = rocAuc(
      rows.map((row) => row.probability),
      rows.map((row) => row.churned),
    );

    expect(auc).toBeGreaterThan(0.78);
    expect(auc).toBeLessThan(0.9);
  });
});

describe('the competitor-enters concept', () => {
  const rows = drawBatchRows(33, 20_000, { concept: COMPETITOR_ENTERS });
  const rate = (test: (row: BatchRow) => boolean) => churnRate(rows.filter(test));

  it('turns the tenure and contract effects around and makes price and support calls dominate', () => {
    expect(rate((r) => r.tenure_months > 48)).toBeGreaterThan(rate((r) => r.tenure_months < 6));
    expect(rate((r) => r.contract_type === 'two-year')).toBeGreaterThan(
      rate((r) => r.contract_type === 'month-to-month'),
    );
    expect(rate((r) => r.monthly_charges > 90)).toBeGreaterThan(rate((r) => r.monthly_charges < 40) + 0.2);
    expect(rate((r) => r.support_calls >= 4)).toBeGreaterThan(rate((r) => r.support_calls === 0) + 0.3);
  });

  it('keeps the same customers: the same seed gives the same inputs under either concept', () => {
    const steady = drawBatchRows(33, 200, { concept: STEADY_MARKET });
    const shifted = drawBatchRows(33, 200, { concept: COMPETITOR_ENTERS });
    const inputs = (row: BatchRow) => ({ ...row, churned: 0, probability: 0 });

    expect(shifted.map(inputs)).toEqual(steady.map(inputs));
    expect(shifted.map((row) => row.probability)).not.toEqual(steady.map((row) => row.probability));
  });
});

describe('populations', () => {
  it('draws far higher charges and more month-to-month contracts in the price-hike population', () => {
    const base = drawBatchRows(34, 5000, { population: BASELINE_POPULATION });
    const hiked = drawBatchRows(34, 5000, { population: PRICE_HIKE_POPULATION });
    const share = (rows: readonly BatchRow[]) =>
      rows.filter((r) => r.contract_type === 'month-to-month').length / rows.length;

    expect(median(hiked.map((r) => r.monthly_charges))).toBeGreaterThan(
      1.8 * median(base.map((r) => r.monthly_charges)),
    );
    expect(share(hiked)).toBeGreaterThan(share(base) + 0.25);
  });
});
