/**
 * CSV records as strings for the churn example's trainer and server, on the project's byte-level RFC 4180 tokenizer
 * (`functions/contracts/csv-tokenizer.ts`): the files a model trains on are read with the dialect the contract check
 * accepted them with (quotes, `""` escapes, CRLF, a UTF-8 byte order mark), so a file cannot pass the check and then
 * be read differently by training.
 */
import { CsvTokenizer, FIELD_ESCAPED, unescapeQuotes } from '../../../functions/contracts/csv-tokenizer';
import { describeFailure } from '../../../functions/contracts/validation-limits';

/** One record: its fields and the physical line (1-based) where it starts. */
export interface CsvRecord {
  readonly fields: readonly string[];
  readonly line: number;
}

export type CsvParseResult =
  | { readonly kind: 'parsed'; readonly records: readonly CsvRecord[] }
  | { readonly kind: 'malformed'; readonly reason: string };

const COMMA = 44;
/** Generous: a churn row is about 120 bytes; the limit only bounds a runaway quoted field. */
const MAX_RECORD_BYTES = 1 << 20;

/**
 * Every record of `bytes` (UTF-8), the header included, empty lines skipped. Malformed CSV (an unterminated quote,
 * a stray character after a closing quote) comes back as a value with the line, never as an exception.
 */
export function parseCsvRecords(bytes: Uint8Array, maxColumns = 64): CsvParseResult {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  // The tokenizer writes a sentinel one byte past the data.
  const buf = Buffer.allocUnsafe(bytes.length - bom + 1);
  buf.set(bytes.subarray(bom), 0);
  const tokenizer = new CsvTokenizer(COMMA, maxColumns, MAX_RECORD_BYTES);
  const records: CsvRecord[] = [];
  let scratch = Buffer.allocUnsafe(256);
  tokenizer.parse(buf, 0, buf.length - 1, true, {
    record(data, fieldCount, line) {
      const fields = new Array<string>(fieldCount);
      for (let i = 0; i < fieldCount; i++) {
        const start = tokenizer.starts[i]!;
        const end = tokenizer.ends[i]!;
        if (tokenizer.kinds[i] === FIELD_ESCAPED) {
          if (scratch.length < end - start) scratch = Buffer.allocUnsafe(end - start);
          fields[i] = scratch.toString('utf8', 0, unescapeQuotes(data, start, end, scratch));
        } else {
          fields[i] = data.toString('utf8', start, end);
        }
      }
      records.push({ fields, line });
    },
  });
  if (tokenizer.failure !== null) return { kind: 'malformed', reason: describeFailure(tokenizer.failure) };
  return { kind: 'parsed', records };
}

/** One field as RFC 4180 writes it: quoted when it holds a comma, a quote, CR or LF (or always, with `quoteAll`). */
export function formatCsvField(value: string, quoteAll = false): string {
  if (quoteAll || /[",\r\n]/.test(value)) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

/** One record, without a line ending. */
export function formatCsvRecord(values: readonly string[], quoteAll = false): string {
  return values.map((value) => formatCsvField(value, quoteAll)).join(',');
}
