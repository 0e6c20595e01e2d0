import { describe, expect, it } from 'vitest';
import {
  compileDateTimePattern,
  codePointLength,
  FAIL_ABOVE_MAX,
  FAIL_FORMAT,
  FAIL_NOT_ALLOWED,
  FAIL_PATTERN,
  FAIL_TOO_LONG,
  FAIL_TOO_SHORT,
  isEmailBytes,
  isUuidBytes,
  OK,
  parseBooleanBytes,
  parseIntegerBytes,
  parseIsoDateBytes,
  parseIsoTimestampBytes,
  parseNumberBytes,
  ValueRule,
} from '../../../functions/contracts/value-checks';

const b = (text: string) => Buffer.from(text, 'utf8');
const on =
  <T>(f: (buf: Uint8Array, s: number, e: number) => T) =>
  (text: string) =>
    f(b(text), 0, b(text).length);

describe('byte parsers', () => {
  it('integers: [+-]?digits, beyond 15 digits like Number()', () => {
    const int = on(parseIntegerBytes);
    expect([int('0'), int('-12'), int('+7'), int('1234567890123456789')]).toEqual([
      0,
      -12,
      7,
      Number('1234567890123456789'),
    ]);
    for (const bad of ['', '-', '1.0', ' 1', '1e3', '0x10', '1_000']) expect(int(bad)).toBeNaN();
  });

  it('numbers: equal to Number() on every accepted spelling, NaN otherwise', () => {
    const num = on(parseNumberBytes);
    const samples = [
      '0',
      '-0.5',
      '.5',
      '5.',
      '3.14159',
      '1e3',
      '-2.5E-3',
      '123456789012345678',
      '0.1',
      '0.3',
      '9007199254740993',
      '1.7976931348623157e308',
    ];
    for (const s of samples) expect(num(s)).toBe(Number(s));
    for (let i = 0; i < 2000; i++) {
      const s = (Math.random() * 10 ** ((i % 12) - 3)).toFixed(i % 9);
      expect(num(s)).toBe(Number(s));
    }
    for (const bad of ['', '.', '-', 'e3', '1e', '1e+', 'NaN', 'Infinity', 'inf', '1,5', '1.2.3', '1e400'])
      expect(num(bad)).toBeNaN();
  });

  it('booleans: DuckDB spellings in any case', () => {
    const bool = on(parseBooleanBytes);
    expect(['true', 'TRUE', 't', 'yes', 'Y', '1'].map(bool)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(['false', 'F', 'no', 'n', '0'].map(bool)).toEqual([0, 0, 0, 0, 0]);
    expect(['', 'tru', 'off', '2', 'truee'].map(bool)).toEqual([-1, -1, -1, -1, -1]);
  });

  it('dates: yyyy-MM-dd with real calendars (leap years)', () => {
    const date = on(parseIsoDateBytes);
    expect(date('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(date('1900-03-01')).toBe(Date.UTC(1900, 2, 1));
    for (const year of [1600, 1899, 1970, 2000, 2100, 2199, 2200, 2500]) {
      for (const [m, d] of [
        [1, 1],
        [2, 28],
        [3, 1],
        [12, 31],
      ] as const) {
        const text = `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        expect(date(text), text).toBe(Date.UTC(year, m - 1, d));
      }
    }
    for (const bad of [
      '2023-02-29',
      '1900-02-29',
      '2024-13-01',
      '2024-00-10',
      '2024-1-01',
      '2024/01/01',
      '2024-01-01T00:00',
    ])
      expect(date(bad)).toBeNaN();
  });

  it('timestamps: ISO-8601 with optional seconds, fraction and offset', () => {
    const ts = on(parseIsoTimestampBytes);
    expect(ts('2024-01-31T10:20:30.123Z')).toBe(Date.parse('2024-01-31T10:20:30.123Z'));
    expect(ts('2024-01-31 10:20:30+02:00')).toBe(Date.parse('2024-01-31T08:20:30Z'));
    expect(ts('2024-01-31T10:20-0130')).toBe(Date.parse('2024-01-31T11:50:00Z'));
    expect(ts('2024-01-31')).toBe(Date.parse('2024-01-31T00:00:00Z'));
    for (const bad of [
      '2024-01-31T24:00:00',
      '2024-01-31T10:60',
      '2024-01-31X10:00',
      '2024-01-31T10:00:00ZZ',
      '2024-01-31T10',
    ])
      expect(ts(bad)).toBeNaN();
  });

  it('Java DateTimeFormatter patterns', () => {
    const dmy = compileDateTimePattern('dd/MM/yyyy HH:mm:ss')!;
    expect(on(dmy)('31/12/2024 23:59:58')).toBe(Date.parse('2024-12-31T23:59:58Z'));
    expect(on(dmy)('31/12/2024')).toBeNaN();
    const compact = compileDateTimePattern("yyyyMMdd'T'HHmmss.SSSXXX")!;
    expect(on(compact)('20240102T030405.678+01:00')).toBe(Date.parse('2024-01-02T02:04:05.678Z'));
    expect(compileDateTimePattern('yyyy-MM-dd[ HH:mm]')).toBeNull();
  });

  it('UUIDs, e-mails and character lengths on bytes', () => {
    expect(on(isUuidBytes)('0E3D6A1C-97b2-4d5e-8c1f-2a3b4c5d6e7f')).toBe(true);
    expect(on(isUuidBytes)('0e3d6a1c97b24d5e8c1f2a3b4c5d6e7f')).toBe(false);
    expect(['a@b.co', 'first.last@sub.example.org'].map(on(isEmailBytes))).toEqual([true, true]);
    expect(['a@b', '@b.co', 'a b@c.de', 'a@@b.co', 'a@b.'].map(on(isEmailBytes))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(on(codePointLength)('añ😀')).toBe(3);
  });
});

describe('ValueRule', () => {
  it('reports why a value fails', () => {
    const rule = new ValueRule({
      logicalType: 'string',
      minLength: 2,
      maxLength: 4,
      pattern: '[a-z]+',
      validValues: ['ab', 'abc', 'ABCD'],
    });
    const check = (text: string) => rule.checkBytes(b(text), 0, b(text).length, text);
    expect(['ab', 'abc'].map(check)).toEqual([OK, OK]);
    expect(check('a')).toBe(FAIL_TOO_SHORT);
    expect(check('abcde')).toBe(FAIL_TOO_LONG);
    expect(check('ABCD')).toBe(FAIL_PATTERN);
    expect(check('abcd')).toBe(FAIL_NOT_ALLOWED);
    expect(rule.describe(FAIL_TOO_LONG)).toBe('longer than 4 characters');
  });

  it('counts characters, not bytes, for lengths', () => {
    const rule = new ValueRule({ logicalType: 'string', maxLength: 2, minLength: 2 });
    expect(rule.checkBytes(b('éé'), 0, 4, null)).toBe(OK);
    expect(rule.checkBytes(b('ééé'), 0, 6, null)).toBe(FAIL_TOO_LONG);
  });

  it('numeric bounds (exclusive too) and temporal bounds from ISO strings', () => {
    const range = new ValueRule({ logicalType: 'number', minimum: 0, maximum: 1, exclusiveMaximum: true });
    expect([0, 0.5, 1].map((v) => range.checkNumber(v))).toEqual([OK, OK, FAIL_ABOVE_MAX]);
    expect(range.describe(FAIL_ABOVE_MAX)).toBe('not below maximum 1');
    const dates = new ValueRule({ logicalType: 'date', maximum: '2024-12-31' });
    expect(dates.checkNumber(Date.UTC(2025, 0, 1))).toBe(FAIL_ABOVE_MAX);
    expect(new ValueRule({ logicalType: 'integer', minimum: 'ten' }).warnings).toEqual([
      "minimum 'ten' is not a valid bound",
    ]);
  });

  it('string formats', () => {
    const uuid = new ValueRule({ logicalType: 'string', format: 'uuid' });
    expect(uuid.checkBytes(b('nope'), 0, 4, null)).toBe(FAIL_FORMAT);
    const host = new ValueRule({ logicalType: 'string', format: 'hostname' });
    expect(host.needsString).toBe(true);
    expect(host.checkBytes(b('a.example.com'), 0, 13, 'a.example.com')).toBe(OK);
    expect(host.checkBytes(b('-bad-.com'), 0, 9, '-bad-.com')).toBe(FAIL_FORMAT);
    expect(new ValueRule({ logicalType: 'string', format: 'color' }).warnings).toEqual([
      "string format 'color' is not checked",
    ]);
  });
});
