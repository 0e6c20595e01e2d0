import { describe, expect, it } from 'vitest';
import { featureColumns } from '../../../functions/evaluation/feature-columns';
import { churnPlan } from './churn-traffic';

describe('featureColumns', () => {
  it('gives the churn model its seven features, in contract order', () => {
    expect(featureColumns(churnPlan().columns, 'churned')).toEqual([
      'tenure_months',
      'monthly_charges',
      'total_charges',
      'contract_type',
      'payment_method',
      'support_calls',
      'plan',
    ]);
  });

  it('leaves out the label by column or property name, identifiers, dates and timestamps', () => {
    expect(
      featureColumns(
        [
          { name: 'id', logicalType: 'integer', primaryKey: true },
          { name: 'email', logicalType: 'string', unique: true },
          { name: 'seen_at', logicalType: 'timestamp' },
          { name: 'y_col', property: 'y', logicalType: 'integer' },
          { name: 'x', logicalType: 'number' },
        ],
        'y',
      ),
    ).toEqual(['x']);
  });
});
