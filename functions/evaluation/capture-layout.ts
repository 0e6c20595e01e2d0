/**
 * Where SageMaker writes data capture and where Model Monitor expects ground truth (REFERENCE.md 5.2 and 5.3):
 *
 * - capture: `<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl`, hour folders by inference time (taken as
 *   UTC: SageMaker's own samples are), file names `<mm>-<ss>-<mmm>-<uuid>.jsonl` (list by prefix, never build them);
 * - ground truth: `<prefix>/yyyy/mm/dd/hh/<file>.jsonl`, hour folders by the time the label was collected.
 *
 * A window `[start, end)` covers every hour folder it overlaps; labels of that window are looked for from its
 * start to its end plus the label lag.
 */

/** One hour folder: `yyyy/mm/dd/hh`, and the hour's start. */
export interface HourPartition {
  readonly path: string;
  readonly start: Date;
}

const HOUR_MS = 3_600_000;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The hour folder holding instant `t` (UTC). */
export function hourPath(t: Date): string {
  return `${pad(t.getUTCFullYear(), 4)}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/${pad(t.getUTCHours())}`;
}

/** The hour folders a window `[start, end)` overlaps, oldest first (none for an empty window). */
export function hourPartitions(start: Date, end: Date): HourPartition[] {
  const out: HourPartition[] = [];
  if (!(end.getTime() > start.getTime())) return out;
  for (let t = Math.floor(start.getTime() / HOUR_MS) * HOUR_MS; t < end.getTime(); t += HOUR_MS) {
    const hour = new Date(t);
    out.push({ path: hourPath(hour), start: hour });
  }
  return out;
}

const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, '');
const join = (...parts: string[]) =>
  parts
    .map(trimSlashes)
    .filter((p) => p !== '')
    .join('/');

/** The key prefixes (ending in `/`) to list for a variant's capture in a window. */
export function capturePrefixes(prefix: string, endpoint: string, variant: string, start: Date, end: Date): string[] {
  return hourPartitions(start, end).map((h) => `${join(prefix, endpoint, variant, h.path)}/`);
}

/** The key prefixes to list for the labels of a window: its hours plus `labelLagHours` after its end. */
export function groundTruthPrefixes(prefix: string, start: Date, end: Date, labelLagHours = 0): string[] {
  return hourPartitions(start, new Date(end.getTime() + labelLagHours * HOUR_MS)).map(
    (h) => `${join(prefix, h.path)}/`,
  );
}

const HOUR_FOLDERS = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/([^/]+)$/;

/** The hour of `yyyy/mm/dd/hh` folders, or null when they are not a valid UTC hour. */
function hourOf(y: string, m: string, d: string, h: string): Date | null {
  const t = Date.UTC(Number(y), Number(m) - 1, Number(d), Number(h));
  const date = new Date(t);
  return hourPath(date) === `${y}/${m}/${d}/${h}` ? date : null;
}

/** A capture object's place in the layout. */
export interface CaptureKey {
  readonly endpoint: string;
  readonly variant: string;
  readonly hour: Date;
  readonly file: string;
}

/** Parses `<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>`; null when the key is not under the prefix or not in the layout. */
export function parseCaptureKey(key: string, prefix = ''): CaptureKey | null {
  const p = trimSlashes(prefix);
  if (p !== '' && !key.startsWith(`${p}/`)) return null;
  const rest = p === '' ? key.replace(/^\/+/, '') : key.slice(p.length + 1);
  const parts = rest.split('/');
  if (parts.length !== 7) return null;
  const [endpoint, variant, ...tail] = parts as [string, string, ...string[]];
  const match = HOUR_FOLDERS.exec(tail.join('/'));
  if (match === null || endpoint === '' || variant === '') return null;
  const hour = hourOf(match[1]!, match[2]!, match[3]!, match[4]!);
  return hour === null ? null : { endpoint, variant, hour, file: match[5]! };
}

/** A ground-truth object's place in the layout. */
export interface GroundTruthKey {
  readonly hour: Date;
  readonly file: string;
}

/** Parses `<prefix>/yyyy/mm/dd/hh/<file>`; null when the key is not under the prefix or not in the layout. */
export function parseGroundTruthKey(key: string, prefix = ''): GroundTruthKey | null {
  const p = trimSlashes(prefix);
  if (p !== '' && !key.startsWith(`${p}/`)) return null;
  const rest = p === '' ? key.replace(/^\/+/, '') : key.slice(p.length + 1);
  const match = HOUR_FOLDERS.exec(rest);
  if (match === null) return null;
  const hour = hourOf(match[1]!, match[2]!, match[3]!, match[4]!);
  return hour === null ? null : { hour, file: match[5]! };
}
