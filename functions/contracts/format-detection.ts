/**
 * Which format and compression an object has, from its magic bytes first, then its extension, then its content type,
 * then a look at its first bytes. Magic bytes win because they cannot lie; a conflict with the name is a warning, and
 * a name that promises a format the bytes deny (a `.parquet` without `PAR1`) is a rejection.
 */
import type { Compression, DataFormat } from './contract-report';
import { readFailure, type ReadFailure } from './validation-limits';

/** The format of an object, or why it cannot be read. */
export type Detection =
  | {
      readonly kind: 'ok';
      readonly format: DataFormat;
      /** CSV delimiter: tab for `.tsv` and `text/tab-separated-values`, else comma. */
      readonly delimiter: ',' | '\t';
      readonly warnings: readonly string[];
    }
  | { readonly kind: 'failed'; readonly failure: ReadFailure };

const UNSUPPORTED_MAGIC: readonly (readonly [readonly number[], string])[] = [
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'Zstandard-compressed'],
  [[0x42, 0x5a, 0x68], 'bzip2-compressed'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz-compressed'],
  [[0x04, 0x22, 0x4d, 0x18], 'LZ4-compressed'],
  [[0x4f, 0x62, 0x6a, 0x01], 'Avro'],
];

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

const extension = (name: string): string => {
  const base = name.slice(name.lastIndexOf('/') + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot + 1);
};

/** The name without a compression suffix (`orders.csv.gz` -> `orders.csv`). */
export function withoutCompressionSuffix(name: string): string {
  return name.replace(/\.(gz|gzip)$/i, '');
}

/** Gzip or none, from the magic bytes `1f 8b` (or the name and content type for a zero-length object). */
export function detectCompression(
  name: string,
  contentType: string | undefined,
  head: Uint8Array,
):
  | { readonly kind: 'ok'; readonly compression: Compression }
  | { readonly kind: 'failed'; readonly failure: ReadFailure } {
  if (startsWith(head, [0x1f, 0x8b])) return { kind: 'ok', compression: 'gzip' };
  for (const [magic, what] of UNSUPPORTED_MAGIC) {
    if (startsWith(head, magic)) {
      return {
        kind: 'failed',
        failure: readFailure(
          'unsupported-format',
          `the object is ${what}, which is not supported (CSV, JSON Lines or Parquet, optionally gzip)`,
        ),
      };
    }
  }
  const gzName = /\.(gz|gzip)$/i.test(name) || /gzip/i.test(contentType ?? '');
  if (gzName && head.length > 0) {
    return {
      kind: 'failed',
      failure: readFailure(
        'format-mismatch',
        `${name} is named or typed as gzip but does not start with the gzip magic bytes 1f 8b`,
      ),
    };
  }
  return { kind: 'ok', compression: 'none' };
}

/** The data format of (decompressed) content. */
export function detectFormat(name: string, contentType: string | undefined, head: Uint8Array): Detection {
  const ext = extension(name);
  const type = (contentType ?? '').toLowerCase().split(';')[0]!.trim();
  const parquetMagic = startsWith(head, [0x50, 0x41, 0x52, 0x31]); // PAR1
  const byName: DataFormat | null =
    ext === 'parquet' || ext === 'pq'
      ? 'parquet'
      : ext === 'csv' || ext === 'tsv' || ext === 'txt'
        ? 'csv'
        : ext === 'jsonl' || ext === 'ndjson' || ext === 'json'
          ? 'jsonl'
          : null;
  const byType: DataFormat | null =
    type === 'application/vnd.apache.parquet' || type === 'application/x-parquet'
      ? 'parquet'
      : type === 'text/csv' || type === 'text/tab-separated-values' || type === 'application/csv'
        ? 'csv'
        : type === 'application/x-ndjson' ||
            type === 'application/jsonl' ||
            type === 'application/x-jsonlines' ||
            type === 'application/json'
          ? 'jsonl'
          : null;
  const tab = ext === 'tsv' || type === 'text/tab-separated-values';
  const delimiter = tab ? '\t' : ',';
  const claimed = byName ?? byType;
  if (parquetMagic) {
    const warnings =
      claimed !== null && claimed !== 'parquet'
        ? [`${name} is named or typed as ${claimed} but its content is Parquet`]
        : [];
    return { kind: 'ok', format: 'parquet', delimiter, warnings };
  }
  if (claimed === 'parquet') {
    return {
      kind: 'failed',
      failure: readFailure(
        'format-mismatch',
        `${name} is not a Parquet file: it does not start with the magic bytes PAR1`,
      ),
    };
  }
  if (claimed !== null) return { kind: 'ok', format: claimed, delimiter, warnings: [] };
  let i = startsWith(head, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  const format: DataFormat = head[i] === 0x7b ? 'jsonl' : 'csv'; // {
  return {
    kind: 'ok',
    format,
    delimiter,
    warnings: [`${name}: no known extension or content type; the content looks like ${format}`],
  };
}
