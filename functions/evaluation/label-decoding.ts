/**
 * The labels of a ground-truth record (`groundTruthData`). Model Monitor documents CSV only, with data that
 * "only consists of label" (REFERENCE.md 5.3); one label per line also covers a request of several rows (one
 * record per request, its labels in row order, one per line, or comma-separated on one line). JSON (a label or an
 * array of labels) and BASE64 of CSV are read too.
 *
 * Binary labels are 1/0, `true`/`false` or `yes`/`no` (any case; `1.0` is 1); regression labels are numbers;
 * multiclass labels are text, numeric spellings normalized (`"2.0"` is class `"2"`).
 */
import { parseBooleanBytes, parseNumberBytes } from '../contracts/value-checks';
import { ENCODING_BASE64, ENCODING_CSV, ENCODING_JSON, encodingOf, type PayloadFields } from './capture-record';
import { slotText } from './json-line-scanner';
import { labelText, normalizeLabel, type PredictionKind } from './payload-decoding';

/** The labels of one record, in reusable arrays. */
export class RowLabels {
  public count = 0;
  public values = new Float64Array(16);
  public texts: string[] = [];

  constructor(public readonly kind: PredictionKind) {}

  private push(v: number, text: string | null): void {
    if (this.count === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    if (text !== null) this.texts[this.count] = text;
    this.values[this.count++] = v;
  }

  /** A label as bytes; an error message when it is not one. */
  bytes(buf: Uint8Array, s: number, e: number): string | null {
    while (s < e && (buf[s] === 32 || buf[s] === 9)) s++;
    while (e > s && (buf[e - 1] === 32 || buf[e - 1] === 9)) e--;
    if (this.kind === 'multiclass') {
      const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8', s, e);
      return this.text(text);
    }
    const v = parseNumberBytes(buf, s, e);
    if (this.kind === 'regression') {
      return Number.isFinite(v) ? (this.push(v, null), null) : `label '${shown(buf, s, e)}' is not a number`;
    }
    if (v === 0 || v === 1) {
      this.push(v, null);
      return null;
    }
    const b = Number.isNaN(v) ? parseBooleanBytes(buf, s, e) : -1;
    if (b < 0) return `label '${shown(buf, s, e)}' is not a binary label (1/0, true/false)`;
    this.push(b, null);
    return null;
  }

  /** A label as a JSON value. */
  json(value: unknown): string | null {
    if (typeof value === 'number') {
      if (this.kind === 'multiclass') return this.text(labelText(value));
      if (this.kind === 'binary' && value !== 0 && value !== 1) return `label ${value} is not a binary label (1/0)`;
      if (!Number.isFinite(value)) return 'a label is not a finite number';
      this.push(value, null);
      return null;
    }
    if (typeof value === 'boolean')
      return this.kind === 'regression' ? 'a regression label is a boolean' : this.json(value ? 1 : 0);
    if (typeof value === 'string') {
      const bytes = Buffer.from(value, 'utf8');
      return this.bytes(bytes, 0, bytes.length);
    }
    return `unexpected label ${JSON.stringify(value)}`;
  }

  private text(text: string): string | null {
    const label = normalizeLabel(text);
    if (label === '') return 'an empty label';
    this.push(NaN, label);
    return null;
  }
}

function shown(buf: Uint8Array, s: number, e: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8', s, Math.min(e, s + 40));
}

/** Splits CSV label text into labels: one per line, or one line of comma-separated labels. */
function csvLabels(buf: Uint8Array, start: number, end: number, out: RowLabels): string | null {
  const lines: [number, number][] = [];
  let i = start;
  while (i < end) {
    let nl = i;
    while (nl < end && buf[nl] !== 10) nl++;
    let e = nl;
    if (e > i && buf[e - 1] === 13) e--;
    if (e > i) lines.push([i, e]);
    i = nl + 1;
  }
  if (lines.length === 0) return 'no label';
  if (lines.length === 1) {
    const [s, e] = lines[0]!;
    let from = s;
    for (let k = s; k <= e; k++) {
      if (k === e || buf[k] === 44) {
        const error = out.bytes(buf, from, k);
        if (error !== null) return error;
        from = k + 1;
      }
    }
    return null;
  }
  for (const [s, e] of lines) {
    const error = out.bytes(buf, s, e);
    if (error !== null) return error;
  }
  return null;
}

/** Decodes a record's labels into `out` (emptied first); null, or why they could not be read. */
export function decodeLabels(buf: Uint8Array, fields: PayloadFields, out: RowLabels): string | null {
  out.count = 0;
  const data = fields.data;
  if (!fields.seen) return 'no groundTruthData';
  if (!data.present) return 'no groundTruthData.data';
  const encoding = encodingOf(buf, fields);
  // The documented records always say CSV; a missing encoding is read as CSV too.
  if (encoding === ENCODING_CSV || (encoding === 0 && !fields.encoding.present)) {
    if (!data.escaped) {
      // Fast path: one label, no separator (the usual record).
      if (out.kind !== 'multiclass') {
        let simple = true;
        for (let k = data.start; k < data.end; k++) {
          const c = buf[k];
          if (c === 44 || c === 10 || c === 13) {
            simple = false;
            break;
          }
        }
        if (simple) return out.bytes(buf, data.start, data.end);
      }
      return csvLabels(buf, data.start, data.end, out);
    }
    const text = Buffer.from(slotText(buf, data), 'utf8');
    return csvLabels(text, 0, text.length, out);
  }
  if (encoding === ENCODING_BASE64) {
    const raw = Buffer.from(slotText(buf, data), 'base64');
    return csvLabels(raw, 0, raw.length, out);
  }
  if (encoding === ENCODING_JSON) {
    let value: unknown;
    try {
      value = JSON.parse(slotText(buf, data));
    } catch (error) {
      return `invalid JSON label: ${error instanceof Error ? error.message : String(error)}`;
    }
    for (const v of Array.isArray(value) ? value : [value]) {
      const error = out.json(v);
      if (error !== null) return error;
    }
    return out.count === 0 ? 'no label' : null;
  }
  return `unknown encoding '${slotText(buf, fields.encoding)}'`;
}
