import { describe, expect, it } from 'vitest';
import { CsvTokenizer, FIELD_ESCAPED, unescapeQuotes } from '../../../functions/contracts/csv-tokenizer';

interface Row {
  line: number;
  fields: string[];
}

/** Tokenizes `text` fed in chunks of `chunk` bytes, as a stream would, and returns the records with their lines. */
function tokenize(
  text: string | Buffer,
  chunk = Infinity,
  limits = { maxColumns: 100, maxLineBytes: 1000 },
  options: { spare?: number; delimiter?: number } = {},
) {
  const data = typeof text === 'string' ? Buffer.from(text) : text;
  const tokenizer = new CsvTokenizer(options.delimiter ?? 44, limits.maxColumns, limits.maxLineBytes);
  const rows: Row[] = [];
  const sink = {
    record(buf: Buffer, n: number, line: number) {
      const fields: string[] = [];
      for (let i = 0; i < n; i++) {
        const s = tokenizer.starts[i]!;
        const e = tokenizer.ends[i]!;
        if (tokenizer.kinds[i] === FIELD_ESCAPED) {
          const out = Buffer.alloc(e - s);
          fields.push(out.toString('utf8', 0, unescapeQuotes(buf, s, e, out)));
        } else fields.push(buf.toString('utf8', s, e));
      }
      rows.push({ line, fields });
    },
  };
  // Like the record stream: keep the unfinished tail and append the next chunk to it.
  let work = Buffer.alloc(0);
  for (let offset = 0; offset < data.length || offset === 0; offset += Math.min(chunk, data.length || 1)) {
    const end = Math.min(data.length, offset + chunk);
    work = Buffer.concat([work, data.subarray(offset, end)]);
    const final = end >= data.length;
    // The tokenizer needs a spare byte after the data (its sentinel), and restores it; with 3 more it reads 4 bytes
    // at a time.
    const spare = Buffer.concat([work, Buffer.from('xyzw'.slice(0, options.spare ?? 1))]);
    const pos = tokenizer.parse(spare, 0, work.length, final, sink);
    expect(spare[work.length]).toBe(0x78);
    work = work.subarray(pos);
    if (tokenizer.failure !== null || final) break;
  }
  return { rows, failure: tokenizer.failure, tokenizer };
}

describe('CsvTokenizer', () => {
  it('splits fields and records (RFC 4180), the same whatever the chunking', () => {
    const text = 'a,b,c\r\n1,"x,y","say ""hi"""\r\n2,"multi\nline",\n\n3,, ""\n';
    const expected = [
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x,y', 'say "hi"'] },
      { line: 3, fields: ['2', 'multi\nline', ''] },
      { line: 6, fields: ['3', '', ' ""'] },
    ];
    for (const chunk of [Infinity, 1, 2, 3, 7]) expect(tokenize(text, chunk).rows).toEqual(expected);
  });

  it('counts physical lines: embedded newlines move the next record down', () => {
    const { rows } = tokenize('h\n"a\nb\nc"\nd\n');
    expect(rows.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('ends the last record at the end of the data, with or without a line break', () => {
    expect(tokenize('a,b\n1,2').rows.at(-1)).toEqual({ line: 2, fields: ['1', '2'] });
    expect(tokenize('a,b\n1,').rows.at(-1)).toEqual({ line: 2, fields: ['1', ''] });
    expect(tokenize('a,b\n1,"2"').rows.at(-1)).toEqual({ line: 2, fields: ['1', '2'] });
  });

  it('keeps a quote inside an unquoted field as a character', () => {
    expect(tokenize('a,b"c,d\n').rows[0]!.fields).toEqual(['a', 'b"c', 'd']);
  });

  it('fails on an unterminated quote, at the line where the record starts', () => {
    for (const chunk of [Infinity, 3]) {
      const { failure, rows } = tokenize('a\n1\n"open\n\nstill open', chunk);
      expect(failure).toEqual({ code: 'malformed-csv', message: 'unterminated quoted field', line: 3 });
      expect(rows).toHaveLength(2);
    }
  });

  it('fails on a character after a closing quote', () => {
    expect(tokenize('a,b\n"x"y,1\n').failure).toMatchObject({ code: 'malformed-csv', line: 2 });
    expect(tokenize('a\n"x"\rz\n').failure?.message).toMatch(/byte 0x0d after the closing quote/);
  });

  it('fails on too many fields and on a record longer than the limit (even one never finished)', () => {
    expect(tokenize(`${'a,'.repeat(100)}a\n`).failure).toEqual({
      code: 'too-many-columns',
      message: 'more than 100 fields',
      line: 1,
    });
    expect(tokenize(`a\n${'x'.repeat(2000)}\n`).failure).toEqual({
      code: 'line-too-long',
      message: 'record longer than 1000 bytes',
      line: 2,
    });
    expect(tokenize(`a\n"${'x'.repeat(5000)}`, 100).failure?.code).toBe('line-too-long');
  });

  it('stops before a record that starts at or after stopAt (the end of a byte range)', () => {
    const data = Buffer.from('a\nbb\nccc\ndddd\n_');
    const tokenizer = new CsvTokenizer(44, 10, 100);
    const lines: number[] = [];
    const pos = tokenizer.parse(data, 0, data.length - 1, true, { record: (_b, _n, line) => lines.push(line) }, 6);
    expect([pos, tokenizer.stopped, lines]).toEqual([9, true, [1, 2, 3]]);
  });

  it('reads 4 bytes at a time when there is room past the data: the same records as byte by byte', () => {
    // Random fields with every byte that can end or interrupt an unquoted field, multi-byte UTF-8 and CRLF.
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const pieces = [
      'a',
      'bcdefgh',
      '12345.678',
      'é',
      '€uro',
      ' ',
      '"',
      '!',
      '\t',
      '\r',
      'x"y',
      'ÿþ',
      '0123456789abcdef',
    ];
    for (const delimiter of [44, 9]) {
      const d = String.fromCharCode(delimiter);
      const records: string[] = [];
      for (let r = 0; r < 300; r++) {
        const fields: string[] = [];
        for (let f = 0; f < 1 + Math.floor(random() * 6); f++) {
          let field = '';
          for (let k = Math.floor(random() * 5); k > 0; k--) field += pieces[Math.floor(random() * pieces.length)];
          // An unquoted field may hold quotes, but not start with one.
          fields.push(random() < 0.15 ? `"${field.replaceAll('"', '""')}${d}\n"` : `u${field.replaceAll(d, '')}`);
        }
        records.push(fields.join(d));
      }
      const text = `${records.join(random() < 0.5 ? '\n' : '\r\n')}\n`;
      for (const chunk of [Infinity, 1, 5, 64]) {
        const bytewise = tokenize(text, chunk, undefined, { delimiter });
        const words = tokenize(text, chunk, undefined, { delimiter, spare: 4 });
        expect(words.failure).toBeNull();
        expect(words.rows).toEqual(bytewise.rows);
      }
    }
  });

  it('tab-separated values', () => {
    const tokenizer = new CsvTokenizer(9, 10, 100);
    const data = Buffer.from('a\tb,c\n_');
    const ends: number[] = [];
    tokenizer.parse(data, 0, data.length - 1, true, { record: (_b, n) => ends.push(n) });
    expect(ends).toEqual([2]);
  });
});
