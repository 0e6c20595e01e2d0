/**
 * Splitting an object into byte ranges that start on record boundaries, so that worker threads can check them at
 * the same time with the same result as one pass.
 *
 * The difficulty is CSV: a newline inside a quoted field is not a record boundary, and nothing local tells the two
 * apart (quote parity depends on everything before). So the split is speculative and verified:
 *
 * 1. Range k (k >= 1) is guessed to start after the first newline at or after `k * size / n`.
 * 2. Each worker tokenizes its range from that start and stops at the first record boundary at or after the next
 *    range's start, reporting where it stopped. A record that crosses the split belongs to the range it starts in.
 * 3. Range 0 starts at a true boundary (after the header). If range k started at a true boundary, its tokenization is
 *    the true one, so the boundary where it stops is true too; range k+1's guess was right exactly when it equals that
 *    stop. Checked in file order, by induction every accepted range is exactly what one pass would have seen.
 * 4. A range whose guess was wrong (it started inside a quoted field) is discarded and checked again from the true
 *    boundary; the worst case is one sequential pass plus wasted parallel work, never a wrong result.
 *
 * JSON Lines needs none of this (a JSON string cannot contain a raw newline), but goes through the same path.
 * Lines and rows of a range are counted from 1 and shifted when the ranges are merged in order.
 */
import { type ByteSource, byteChunks } from './byte-source';

/** One byte range: records that start in `[start, end)`. */
export interface ByteRange {
  readonly start: number;
  /** The next range's (guessed) start, or the object's size. */
  readonly end: number;
}

const WINDOW = 64 * 1024;

/** The position after the first newline at or after `from`, within `maxBytes`; -1 when there is none. */
async function nextLineStart(source: ByteSource, from: number, size: number, maxBytes: number): Promise<number> {
  let position = from;
  while (position < size && position - from <= maxBytes) {
    const end = Math.min(size, position + WINDOW);
    for await (const chunk of byteChunks(source.read(position, end))) {
      const nl = chunk.indexOf(10);
      if (nl >= 0) return position + nl + 1;
      position += chunk.length;
    }
    position = end;
  }
  return -1;
}

/**
 * Guessed ranges of `[from, size)` for `count` workers: each starts after a newline (step 1 above). Fewer ranges
 * come back when a split point has no newline within `maxLineBytes` (a record that long fails anyway).
 */
export async function planByteRanges(
  source: ByteSource,
  from: number,
  size: number,
  count: number,
  maxLineBytes: number,
): Promise<ByteRange[]> {
  const starts = [from];
  for (let k = 1; k < count; k++) {
    const nominal = from + Math.floor(((size - from) * k) / count);
    const start = await nextLineStart(source, Math.max(nominal, starts[starts.length - 1]!), size, maxLineBytes);
    if (start > starts[starts.length - 1]! && start < size) starts.push(start);
  }
  return starts.map((start, k) => ({ start, end: starts[k + 1] ?? size }));
}
