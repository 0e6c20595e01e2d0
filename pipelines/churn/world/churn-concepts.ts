/**
 * Why customers leave: a "concept" is the true churn probability as a logistic function of a customer's attributes
 * (and of the hidden dissatisfaction, which is why no model reaches an AUC of 1). Concept shift is the world changing
 * under a deployed model: the same kind of customers, but different reasons to leave, so the model's live AUC drops
 * while the data contract (which sees only the inputs) still passes.
 */
import type { FeatureValues } from '../local/feature-order';
import { sigmoid } from '../local/logistic-regression';
import type { ContractType, Customer, Plan } from './customers';

/** A logistic churn model of the world, with effects on the log-odds scale. */
export interface ChurnConcept {
  readonly name: string;
  readonly description: string;
  readonly intercept: number;
  readonly contract: Readonly<Record<ContractType, number>>;
  /** By payment method; a method not listed has no effect. */
  readonly payment: Readonly<Record<string, number>>;
  readonly plan: Readonly<Record<Plan, number>>;
  /** Per unit of ln(1 + tenure_months). */
  readonly logTenure: number;
  /** Per 10 USD of monthly charges above 60 USD. */
  readonly perTenDollars: number;
  readonly perSupportCall: number;
  /** Per standard deviation of the hidden dissatisfaction. */
  readonly dissatisfaction: number;
}

/**
 * The market the first model learns: month-to-month contracts, short tenure, electronic checks and support calls
 * raise churn; price matters a little.
 */
export const STEADY_MARKET: ChurnConcept = {
  name: 'steady-market',
  description: 'contract, tenure, payment by electronic check and support calls drive churn; price matters a little',
  intercept: -0.85,
  contract: { 'month-to-month': 1.1, 'one-year': -0.2, 'two-year': -1.4 },
  payment: {
    'Electronic check': 0.6,
    'Mailed check': 0.1,
    'Bank transfer (automatic)': -0.3,
    'Credit card (automatic)': -0.3,
  },
  plan: { basic: 0, standard: 0.05, premium: 0.15 },
  logTenure: -0.55,
  perTenDollars: 0.1,
  perSupportCall: 0.25,
  dissatisfaction: 0.45,
};

/**
 * After a cheaper competitor enters: price dominates, the competitor courts long-standing customers with switching
 * bonuses and buys out two-year contracts (tenure and the long contract now raise churn), the payment method no
 * longer matters, and every support call counts double. A model of the steady market ranks these customers barely
 * better than chance (ROC AUC about 0.57, see the README), while a model retrained on them reaches about 0.85.
 */
export const COMPETITOR_ENTERS: ChurnConcept = {
  name: 'competitor-enters',
  description:
    'a cheaper competitor: price dominates, long-standing customers and two-year contracts are poached, support calls count double',
  intercept: -2.9,
  contract: { 'month-to-month': -0.1, 'one-year': 0, 'two-year': 0.3 },
  payment: {},
  plan: { basic: -0.2, standard: 0, premium: 0.3 },
  logTenure: 0.5,
  perTenDollars: 0.38,
  perSupportCall: 0.5,
  dissatisfaction: 0.45,
};

/** The true churn log-odds of a customer under a concept. */
export function churnLogit(
  customer: FeatureValues & { readonly dissatisfaction: number },
  concept: ChurnConcept,
): number {
  const contract = concept.contract[customer.contract_type as ContractType] ?? 0;
  const plan = concept.plan[customer.plan as Plan] ?? 0;
  return (
    concept.intercept +
    contract +
    (concept.payment[customer.payment_method] ?? 0) +
    plan +
    concept.logTenure * Math.log1p(customer.tenure_months) +
    (concept.perTenDollars * (customer.monthly_charges - 60)) / 10 +
    concept.perSupportCall * customer.support_calls +
    concept.dissatisfaction * customer.dissatisfaction
  );
}

/** The true probability that a customer churns within 30 days under a concept. */
export function churnProbability(customer: Customer, concept: ChurnConcept): number {
  return sigmoid(churnLogit(customer, concept));
}
