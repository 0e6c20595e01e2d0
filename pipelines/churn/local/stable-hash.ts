/**
 * FNV-1a (32-bit) of a string's UTF-16 code units: a stable, fast hash for choosing rows and labelling random
 * streams. Not for security; the point is that the same customer_id lands on the same side of a split in every run.
 */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash >>> 0;
}
