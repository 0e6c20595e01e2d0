/**
 * The simulated customer base: who the customers are (tenure, plan, contract, payment, charges, support calls) with
 * the skews and correlations of real subscription data, and a hidden dissatisfaction that no file shows. A
 * {@link Population} says how customers are drawn; drift is a different population, concept shift a different
 * {@link ChurnConcept} over the same population (see `churn-concepts.ts`).
 */
import type { FeatureValues } from '../local/feature-order';
import type { SeededRandom } from './seeded-random';

export const CONTRACT_TYPES = ['month-to-month', 'one-year', 'two-year'] as const;
export const PLANS = ['basic', 'standard', 'premium'] as const;
/**
 * As billing systems export them: spaces, parentheses, and one with a comma, which a CSV writer must quote (the
 * contract leaves payment_method free text, so a new method is valid data, not a violation).
 */
export const PAYMENT_METHODS = [
  'Electronic check',
  'Mailed check',
  'Bank transfer (automatic)',
  'Credit card (automatic)',
  'Digital wallet (Apple Pay, Google Pay)',
] as const;

export type ContractType = (typeof CONTRACT_TYPES)[number];
export type Plan = (typeof PLANS)[number];

/** One customer on one snapshot day. */
export interface Customer extends FeatureValues {
  readonly customer_id: string;
  readonly contract_type: ContractType;
  readonly plan: Plan;
  /** Hidden, standard normal: drives support calls and churn, and is in no file (the model never sees it). */
  readonly dissatisfaction: number;
}

/** How customers are drawn. */
export interface Population {
  readonly name: string;
  /** Relative weights of basic, standard, premium. */
  readonly planWeights: readonly [number, number, number];
  /** Mean monthly charge per plan before the factor, in USD. */
  readonly planCharges: Readonly<Record<Plan, number>>;
  /** Multiplies every monthly charge: a price rise shifts the whole distribution. */
  readonly chargeFactor: number;
  /** Share of month-to-month contracts for a brand-new customer and for one of 72 months or more. */
  readonly monthToMonthShare: { readonly newCustomer: number; readonly loyalCustomer: number };
  /** Mean tenure in months of the customers who joined recently (the exponential part of the mixture). */
  readonly recentTenureMean: number;
  /** Share of customers who joined recently; the others are uniform over 1 to 6 years. */
  readonly recentShare: number;
  /** Mean support calls in 90 days for an average customer. */
  readonly supportCallMean: number;
}

/** The market the first model is trained on. */
export const BASELINE_POPULATION: Population = {
  name: 'baseline',
  planWeights: [0.45, 0.35, 0.2],
  planCharges: { basic: 24, standard: 58, premium: 96 },
  chargeFactor: 1,
  monthToMonthShare: { newCustomer: 0.78, loyalCustomer: 0.22 },
  recentTenureMean: 13,
  recentShare: 0.58,
  supportCallMean: 1.1,
};

/**
 * A drifted market: a 70 % price rise, a premium-heavy mix and mostly month-to-month contracts, far enough from the
 * baseline that the contract's PSI check rejects the batch.
 */
export const PRICE_HIKE_POPULATION: Population = {
  name: 'price-hike',
  planWeights: [0.15, 0.3, 0.55],
  planCharges: BASELINE_POPULATION.planCharges,
  chargeFactor: 1.7,
  monthToMonthShare: { newCustomer: 0.97, loyalCustomer: 0.8 },
  recentTenureMean: BASELINE_POPULATION.recentTenureMean,
  recentShare: BASELINE_POPULATION.recentShare,
  supportCallMean: BASELINE_POPULATION.supportCallMean,
};

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** Whole months since sign-up: many recent customers, a flat block of established ones, a few legacy accounts. */
function drawTenure(random: SeededRandom, population: Population): number {
  const u = random.next();
  // Legacy accounts from a 1990s system: rare, far out, still inside the contract's 0..600.
  if (u < 0.003) return random.int(120, 420);
  if (u < 0.003 + population.recentShare)
    return Math.min(72, Math.floor(random.exponential(population.recentTenureMean)));
  return random.int(1, 72);
}

function drawContract(random: SeededRandom, population: Population, tenure: number): ContractType {
  const loyalty = Math.min(tenure, 72) / 72;
  const { newCustomer, loyalCustomer } = population.monthToMonthShare;
  const monthToMonth = newCustomer + (loyalCustomer - newCustomer) * loyalty;
  const twoYear = (1 - monthToMonth) * (0.3 + 0.4 * loyalty);
  return random.weighted(CONTRACT_TYPES, [monthToMonth, 1 - monthToMonth - twoYear, twoYear]);
}

/** Newer customers pay by electronic check more often; long-standing ones have moved to automatic payment. */
function drawPayment(random: SeededRandom, tenure: number): string {
  const loyalty = Math.min(tenure, 72) / 72;
  return random.weighted(PAYMENT_METHODS, [
    0.42 - 0.24 * loyalty,
    0.2 - 0.04 * loyalty,
    0.15 + 0.13 * loyalty,
    0.16 + 0.13 * loyalty,
    0.07 + 0.02 * loyalty,
  ]);
}

/** Draws one customer. */
export function drawCustomer(random: SeededRandom, population: Population = BASELINE_POPULATION): Customer {
  const customerId = random.uuid();
  const tenure = drawTenure(random, population);
  const plan = random.weighted(PLANS, population.planWeights);
  const contract = drawContract(random, population, tenure);
  const payment = drawPayment(random, tenure);
  // Add-ons make charges right-skewed within a plan; a few business accounts pay several times the plan price.
  const addOns = random.exponential(0.08);
  const business = random.bernoulli(0.002) ? random.uniform(2.5, 4) : 1;
  const planCharge = population.planCharges[plan];
  const monthly = Math.max(
    5,
    round2(planCharge * population.chargeFactor * business * (1 + addOns) * Math.exp(random.normal(0, 0.08))),
  );
  // Past months were billed at other prices (promotions, old tariffs): total is tenure x monthly, give or take.
  const total = tenure === 0 ? null : round2(tenure * monthly * Math.exp(random.normal(0, 0.07)));
  const dissatisfaction = random.normal();
  const callRate = population.supportCallMean * Math.exp(0.6 * dissatisfaction) * (plan === 'premium' ? 1.15 : 1);
  const callOutlier = random.bernoulli(0.003) ? random.int(15, 45) : 0;
  const supportCalls = Math.min(100, random.poisson(callRate) + callOutlier);
  return {
    customer_id: customerId,
    tenure_months: tenure,
    monthly_charges: monthly,
    total_charges: total,
    contract_type: contract,
    payment_method: payment,
    support_calls: supportCalls,
    plan,
    dissatisfaction,
  };
}

/** `count` customers from one stream. */
export function drawCustomers(random: SeededRandom, count: number, population?: Population): Customer[] {
  return Array.from({ length: count }, () => drawCustomer(random, population));
}
