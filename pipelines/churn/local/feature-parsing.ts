/**
 * Reads the 7 model inputs from text, the same way for training files and inference requests: counts are whole
 * numbers of at least 0, charges numbers of at least 0, total_charges may be empty (a first-month customer), and
 * categories are any non-empty text (an unseen category is valid input; the encoding maps it to zeros). A bad value
 * comes back as a value naming the column, what was expected and what was found, never as an exception.
 */
import {
  NULLABLE_FEATURES,
  type CategoricalFeature,
  type FeatureName,
  type FeatureValues,
  type NumericFeature,
} from './feature-order';

/** Why one value cannot be used. */
export interface FeatureProblem {
  readonly column: FeatureName;
  readonly value: string;
  readonly expected: string;
}

const INTEGER_FEATURES: ReadonlySet<NumericFeature> = new Set(['tenure_months', 'support_calls']);
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A value as the contract describes it, for messages. */
function expectation(name: NumericFeature): string {
  const kind = INTEGER_FEATURES.has(name) ? 'a whole number' : 'a number';
  return NULLABLE_FEATURES.has(name) ? `${kind} >= 0 or an empty value` : `${kind} >= 0`;
}

function parseNumeric(name: NumericFeature, text: string): number | null | FeatureProblem {
  const trimmed = text.trim();
  if (trimmed === '')
    return NULLABLE_FEATURES.has(name) ? null : { column: name, value: text, expected: expectation(name) };
  const value = NUMBER.test(trimmed) ? Number(trimmed) : Number.NaN;
  const valid = Number.isFinite(value) && value >= 0 && (!INTEGER_FEATURES.has(name) || Number.isInteger(value));
  return valid ? value : { column: name, value: text, expected: expectation(name) };
}

const isProblem = (value: unknown): value is FeatureProblem =>
  typeof value === 'object' && value !== null && 'expected' in value;

function required(name: NumericFeature, text: string): number | FeatureProblem {
  const value = parseNumeric(name, text);
  return value === null ? { column: name, value: text, expected: expectation(name) } : value;
}

function category(name: CategoricalFeature, text: string): string | FeatureProblem {
  return text.trim() === '' ? { column: name, value: text, expected: 'a non-empty category' } : text;
}

/** The features of one row, with `field(name)` giving each column's text; the first bad value otherwise. */
export function parseFeatures(field: (name: FeatureName) => string): FeatureValues | FeatureProblem {
  const tenure = required('tenure_months', field('tenure_months'));
  if (isProblem(tenure)) return tenure;
  const monthly = required('monthly_charges', field('monthly_charges'));
  if (isProblem(monthly)) return monthly;
  const total = parseNumeric('total_charges', field('total_charges'));
  if (isProblem(total)) return total;
  const calls = required('support_calls', field('support_calls'));
  if (isProblem(calls)) return calls;
  const contract = category('contract_type', field('contract_type'));
  if (isProblem(contract)) return contract;
  const payment = category('payment_method', field('payment_method'));
  if (isProblem(payment)) return payment;
  const plan = category('plan', field('plan'));
  if (isProblem(plan)) return plan;
  return {
    tenure_months: tenure,
    monthly_charges: monthly,
    total_charges: total,
    support_calls: calls,
    contract_type: contract,
    payment_method: payment,
    plan,
  };
}

export function isFeatureProblem(value: FeatureValues | FeatureProblem): value is FeatureProblem {
  return isProblem(value);
}

/** `column tenure_months: expected a whole number >= 0, got "abc"` */
export function describeProblem(problem: FeatureProblem): string {
  const shown = problem.value.length > 60 ? `${problem.value.slice(0, 60)}...` : problem.value;
  return `column ${problem.column}: expected ${problem.expected}, got ${JSON.stringify(shown)}`;
}
