/**
 * The model's input features from the data contract: the properties in contract order less the label, less
 * identifiers (unique or primary-key columns) and less dates and timestamps (snapshot keys, not signals). CSV
 * requests are positional, so this order is the order of their values; for pipelines/churn it is tenure_months,
 * monthly_charges, total_charges, contract_type, payment_method, support_calls, plan.
 *
 * Accepts the compiled plan's `ColumnSpec`s (`plan.columns`) as they are.
 */
import type { LogicalType } from '../contracts/contract-plan';

/** What `featureColumns` reads of a contract property. */
export interface FeatureCandidate {
  /** Column name in the data. */
  readonly name: string;
  /** The ODCS property name, when it differs from the column name. */
  readonly property?: string;
  readonly logicalType: LogicalType;
  readonly unique?: boolean;
  readonly primaryKey?: boolean;
}

/** The feature columns, in order; `target` is matched against column and property names. */
export function featureColumns(properties: readonly FeatureCandidate[], target: string): string[] {
  return properties
    .filter((p) => p.name !== target && p.property !== target)
    .filter((p) => p.unique !== true && p.primaryKey !== true)
    .filter((p) => p.logicalType !== 'date' && p.logicalType !== 'timestamp')
    .map((p) => p.name);
}
