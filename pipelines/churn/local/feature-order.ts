/**
 * The churn example's columns, defined once: the contract's column order for batch files, and the order of the 7
 * feature values in a `text/csv` inference request. The trainer, the server, the traffic generator and the tests all
 * read them from here, so a request row and the model's encoding cannot drift apart.
 */

/** Columns of a batch file, in the order `contract.yaml` declares them (files may order them differently). */
export const CONTRACT_COLUMNS = [
  'customer_id',
  'snapshot_date',
  'tenure_months',
  'monthly_charges',
  'total_charges',
  'contract_type',
  'payment_method',
  'support_calls',
  'plan',
  'churned',
] as const;

export type ContractColumn = (typeof CONTRACT_COLUMNS)[number];

/** The label column. */
export const TARGET_COLUMN = 'churned';

/** Numeric model inputs: standardised with the training mean and standard deviation. */
export const NUMERIC_FEATURES = ['tenure_months', 'monthly_charges', 'total_charges', 'support_calls'] as const;

/** Categorical model inputs: one-hot over the categories seen in training. */
export const CATEGORICAL_FEATURES = ['contract_type', 'payment_method', 'plan'] as const;

export type NumericFeature = (typeof NUMERIC_FEATURES)[number];
export type CategoricalFeature = (typeof CATEGORICAL_FEATURES)[number];
export type FeatureName = NumericFeature | CategoricalFeature;

/**
 * The order of the values in one `text/csv` request row to `/invocations`: no header, no id, no target (the
 * built-in XGBoost's inference convention). `customer_id` and `snapshot_date` are not model inputs.
 */
export const INFERENCE_FEATURES = [
  'tenure_months',
  'monthly_charges',
  'total_charges',
  'contract_type',
  'payment_method',
  'support_calls',
  'plan',
] as const satisfies readonly FeatureName[];

/** Numeric features that may be empty (the contract's `required: false`): a customer in the first month. */
export const NULLABLE_FEATURES: ReadonlySet<FeatureName> = new Set<FeatureName>(['total_charges']);

/** One example's model inputs; `null` is an empty (missing) numeric value. */
export interface FeatureValues {
  readonly tenure_months: number;
  readonly monthly_charges: number;
  readonly total_charges: number | null;
  readonly support_calls: number;
  readonly contract_type: string;
  readonly payment_method: string;
  readonly plan: string;
}

export const isNumericFeature = (name: string): name is NumericFeature =>
  (NUMERIC_FEATURES as readonly string[]).includes(name);
