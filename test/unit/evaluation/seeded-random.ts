/** A seeded generator for the tests' random data (mulberry32): the same seed, the same data, on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Binary scores and labels with ties: scores rounded to `levels` distinct values, labels depending on the score. */
export function binarySample(n: number, seed: number, levels = 20, positiveShare = 0.3) {
  const random = seededRandom(seed);
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.round(random() * levels) / levels;
    scores[i] = s;
    labels[i] = random() < positiveShare * 0.5 + s * positiveShare ? 1 : 0;
  }
  return { scores, labels };
}
