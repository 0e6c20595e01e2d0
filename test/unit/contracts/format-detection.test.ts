import { describe, expect, it } from 'vitest';
import { detectCompression, detectFormat } from '../../../functions/contracts/format-detection';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('detectCompression', () => {
  it('gzip by magic bytes; other compressions are refused with their name', () => {
    expect(detectCompression('a.csv', undefined, bytes('\x1f\x8b\x08'))).toEqual({ kind: 'ok', compression: 'gzip' });
    expect(detectCompression('a.csv', undefined, bytes('id,a'))).toEqual({ kind: 'ok', compression: 'none' });
    const zstd = detectCompression('a.csv.zst', undefined, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]));
    expect(zstd.kind === 'failed' && zstd.failure.message).toMatch(/Zstandard-compressed, which is not supported/);
    expect(detectCompression('a.csv.gz', undefined, bytes('id,a')).kind).toBe('failed');
  });
});

describe('detectFormat', () => {
  it('magic bytes, then extension, then content type, then content', () => {
    expect(detectFormat('a.csv', undefined, bytes('PAR1xxxx'))).toMatchObject({
      kind: 'ok',
      format: 'parquet',
      warnings: [expect.stringMatching(/content is Parquet/)],
    });
    expect(detectFormat('a.jsonl', undefined, bytes('id,a'))).toMatchObject({ format: 'jsonl', warnings: [] });
    expect(detectFormat('a.tsv', undefined, bytes('id\ta'))).toMatchObject({ format: 'csv', delimiter: '\t' });
    expect(detectFormat('blob', 'text/csv; charset=utf-8', bytes('{"a":1}'))).toMatchObject({ format: 'csv' });
    expect(detectFormat('blob', 'application/x-ndjson', bytes('id,a'))).toMatchObject({ format: 'jsonl' });
    expect(detectFormat('blob', undefined, bytes('\xef\xbb\xbf  {"a":1}'))).toMatchObject({ format: 'jsonl' });
    expect(detectFormat('blob', undefined, bytes('a,b'))).toMatchObject({ format: 'csv' });
    expect(detectFormat('a.parquet', undefined, bytes('a,b'))).toMatchObject({
      kind: 'failed',
      failure: { code: 'format-mismatch' },
    });
  });
});
