/**
 * Which fleet and variant answers an invocation: during a blue/green shift, `greenPercent` of requests go to the
 * new fleet; within a fleet, variants share traffic by weight (`InitialVariantWeight`), unless the caller names
 * one with `TargetVariant`.
 */

/** A variant that can take traffic. */
export interface WeightedVariant {
  readonly variantName: string;
  readonly weight: number;
}

/** True when this request goes to the green fleet; `random` returns [0, 1). */
export function routesToGreen(greenPercent: number, random: () => number): boolean {
  return greenPercent > 0 && random() * 100 < greenPercent;
}

/**
 * Picks a variant by weight, or the one named `targetVariant`. Returns `undefined` when the target is not in the
 * list. All-zero weights fall back to an even split, so a fleet never rejects traffic for weights alone.
 */
export function pickVariant<T extends WeightedVariant>(
  variants: readonly T[],
  random: () => number,
  targetVariant?: string,
): T | undefined {
  if (targetVariant !== undefined) return variants.find((variant) => variant.variantName === targetVariant);
  const total = variants.reduce((sum, variant) => sum + Math.max(0, variant.weight), 0);
  if (total <= 0) return variants[Math.floor(random() * variants.length)];
  let point = random() * total;
  for (const variant of variants) {
    point -= Math.max(0, variant.weight);
    if (point < 0) return variant;
  }
  return variants.at(-1);
}
