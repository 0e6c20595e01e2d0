/**
 * What a value must satisfy, compiled once per contract: byte-level parsers for integers, numbers, booleans, dates,
 * timestamps and UUIDs (no string, no regular expression per value), and a {@link ValueRule} holding a column's
 * bounds, lengths, pattern, format and allowed values. Only a pattern, an allowed-value set of strings, or a URI,
 * hostname or IP format decode the value to a string, because only they need one.
 *
 * Accepted spellings are strict and documented: integers `[+-]?[0-9]+`; numbers add a fraction and an exponent
 * (`.5`, `5.`, `1e3`; no `NaN`, `Infinity`, hex or digit separators); booleans `true/false/t/f/yes/no/y/n/1/0` in any
 * case (DuckDB's set); dates `yyyy-MM-dd` unless the column has a `format`; timestamps ISO-8601
 * (`2024-01-31T10:00:00.123+02:00`, `T` or a space, seconds, fraction and offset optional, UTC without offset).
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { ColumnSpec, LogicalType } from './contract-plan';
import { compileAutomaton, type PatternAutomaton } from './pattern-automaton';

const UTF8 = new TextDecoder();

/** Logical types as small integers for the hot loop's `switch`. */
export const KIND_STRING = 0;
export const KIND_INTEGER = 1;
export const KIND_NUMBER = 2;
export const KIND_BOOLEAN = 3;
export const KIND_DATE = 4;
export const KIND_TIMESTAMP = 5;

export function kindOf(type: LogicalType): number {
  switch (type) {
    case 'string':
      return KIND_STRING;
    case 'integer':
      return KIND_INTEGER;
    case 'number':
      return KIND_NUMBER;
    case 'boolean':
      return KIND_BOOLEAN;
    case 'date':
      return KIND_DATE;
    case 'timestamp':
      return KIND_TIMESTAMP;
  }
}

/** Why a value fails (0: it passes). */
export const OK = 0;
export const FAIL_TYPE = 1;
export const FAIL_BELOW_MIN = 2;
export const FAIL_ABOVE_MAX = 3;
export const FAIL_TOO_SHORT = 4;
export const FAIL_TOO_LONG = 5;
export const FAIL_PATTERN = 6;
export const FAIL_FORMAT = 7;
export const FAIL_NOT_ALLOWED = 8;

const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18];

function latin1(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
  return s;
}

/** `[+-]?[0-9]+` as a number, or NaN. Beyond 15 digits the value is rounded like `Number()` does. */
export function parseIntegerBytes(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end) {
    const c = buf[i];
    if (c === MINUS) {
      negative = true;
      i++;
    } else if (c === PLUS) i++;
  }
  if (i >= end) return NaN;
  if (end - i > 15) {
    for (let j = i; j < end; j++) {
      const d = buf[j]! - ZERO;
      if (d < 0 || d > 9) return NaN;
    }
    return Number(latin1(buf, start, end));
  }
  let v = 0;
  for (; i < end; i++) {
    const d = buf[i]! - ZERO;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

/**
 * A decimal number as a number, or NaN. With at most 15 significant digits and no exponent the value is the exact
 * mantissa divided by a power of ten, which is correctly rounded (Clinger's fast path), so equal to `Number()`;
 * other spellings fall back to `Number()` after the syntax was checked here.
 */
export function parseNumberBytes(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end) {
    const c = buf[i];
    if (c === MINUS) {
      negative = true;
      i++;
    } else if (c === PLUS) i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  while (i < end) {
    const d = buf[i]! - ZERO;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    digits++;
    i++;
  }
  if (i < end && buf[i] === DOT) {
    i++;
    while (i < end) {
      const d = buf[i]! - ZERO;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
      digits++;
      fraction++;
      i++;
    }
  }
  if (digits === 0) return NaN;
  if (i === end) {
    if (digits <= 15) {
      const v = fraction === 0 ? mantissa : mantissa / POW10[fraction]!;
      return negative ? -v : v;
    }
    return Number(latin1(buf, start, end));
  }
  const c = buf[i];
  if (c !== 101 && c !== 69) return NaN; // e or E
  i++;
  if (i < end && (buf[i] === MINUS || buf[i] === PLUS)) i++;
  if (i >= end) return NaN;
  for (; i < end; i++) {
    const d = buf[i]! - ZERO;
    if (d < 0 || d > 9) return NaN;
  }
  const v = Number(latin1(buf, start, end));
  return Number.isFinite(v) ? v : NaN;
}

/** 1 for true, 0 for false, -1 for anything else (`true/false/t/f/yes/no/y/n/1/0`, any case). */
export function parseBooleanBytes(buf: Uint8Array, start: number, end: number): number {
  const n = end - start;
  const c0 = buf[start]! | 0x20;
  if (n === 1) {
    if (c0 === 0x74 || c0 === 0x79 || buf[start] === 0x31) return 1; // t y 1
    if (c0 === 0x66 || c0 === 0x6e || buf[start] === 0x30) return 0; // f n 0
    return -1;
  }
  if (n === 4 && c0 === 0x74) {
    return (buf[start + 1]! | 0x20) === 0x72 && (buf[start + 2]! | 0x20) === 0x75 && (buf[start + 3]! | 0x20) === 0x65
      ? 1
      : -1;
  }
  if (n === 5 && c0 === 0x66) {
    return (buf[start + 1]! | 0x20) === 0x61 &&
      (buf[start + 2]! | 0x20) === 0x6c &&
      (buf[start + 3]! | 0x20) === 0x73 &&
      (buf[start + 4]! | 0x20) === 0x65
      ? 0
      : -1;
  }
  if (n === 3 && c0 === 0x79) return (buf[start + 1]! | 0x20) === 0x65 && (buf[start + 2]! | 0x20) === 0x73 ? 1 : -1;
  if (n === 2 && c0 === 0x6e) return (buf[start + 1]! | 0x20) === 0x6f ? 0 : -1;
  return -1;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const DAY_MS = 86_400_000;

function digits2(buf: Uint8Array, i: number): number {
  const a = buf[i]! - ZERO;
  const b = buf[i + 1]! - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days from 1970-01-01 to January 1st of 1900 + i, and cumulative days before each month (common, leap year). */
const YEAR_BASE = 1900;
const YEAR_DAYS = Int32Array.from({ length: 300 }, (_, i) => daysFromCivil(YEAR_BASE + i, 1, 1));
const YEAR_LEAP = Int32Array.from({ length: 300 }, (_, i) => {
  const y = YEAR_BASE + i;
  return (y & 3) === 0 && (y % 100 !== 0 || y % 400 === 0) ? 1 : 0;
});
const MONTH_DAYS = Int32Array.from([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]);
const MONTH_LENGTH = Int32Array.from([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);

/**
 * `yyyy-MM-dd` as milliseconds since the epoch (UTC midnight), or NaN. Measured 10 ns a value with the year table
 * (the civil-date formula took 40 ns); years outside 1900-2199 use the formula.
 */
export function parseIsoDateBytes(buf: Uint8Array, start: number, end: number): number {
  if (end - start !== 10 || buf[start + 4] !== MINUS || buf[start + 7] !== MINUS) return NaN;
  const y0 = buf[start]! - ZERO;
  const y1 = buf[start + 1]! - ZERO;
  const y2 = buf[start + 2]! - ZERO;
  const y3 = buf[start + 3]! - ZERO;
  const m0 = buf[start + 5]! - ZERO;
  const m1 = buf[start + 6]! - ZERO;
  const d0 = buf[start + 8]! - ZERO;
  const d1 = buf[start + 9]! - ZERO;
  // Unsigned: a byte below '0' wraps around to a large number, so one comparison per digit.
  if (
    y0 >>> 0 > 9 ||
    y1 >>> 0 > 9 ||
    y2 >>> 0 > 9 ||
    y3 >>> 0 > 9 ||
    m0 >>> 0 > 9 ||
    m1 >>> 0 > 9 ||
    d0 >>> 0 > 9 ||
    d1 >>> 0 > 9
  ) {
    return NaN;
  }
  const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const m = m0 * 10 + m1;
  const d = d0 * 10 + d1;
  if (m < 1 || m > 12 || d < 1) return NaN;
  const index = y - YEAR_BASE;
  if (index < 0 || index >= YEAR_DAYS.length) {
    const leap = (y & 3) === 0 && (y % 100 !== 0 || y % 400 === 0);
    if (d > (m === 2 && leap ? 29 : MONTH_LENGTH[m]!)) return NaN;
    return daysFromCivil(y, m, d) * DAY_MS;
  }
  // Years of the table: leap from a table, no `%` per value (measured 23.7 -> 22.2 ns per ISO timestamp, same results).
  const leap = YEAR_LEAP[index]!;
  if (d > (m === 2 ? 28 + leap : MONTH_LENGTH[m]!)) return NaN;
  return (YEAR_DAYS[index]! + MONTH_DAYS[m - 1]! + (m > 2 ? leap : 0) + d - 1) * DAY_MS;
}

/** An ISO-8601 date or date-time as milliseconds since the epoch, or NaN (no offset means UTC). */
export function parseIsoTimestampBytes(buf: Uint8Array, start: number, end: number): number {
  if (end - start < 10) return NaN;
  const day = parseIsoDateBytes(buf, start, start + 10);
  if (Number.isNaN(day)) return NaN;
  let i = start + 10;
  if (i === end) return day;
  const sep = buf[i];
  if (sep !== 84 && sep !== 116 && sep !== 32) return NaN; // T t space
  i++;
  if (end - i < 5 || buf[i + 2] !== 58) return NaN;
  const hh = digits2(buf, i);
  const mm = digits2(buf, i + 3);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return NaN;
  i += 5;
  let ss = 0;
  let ms = 0;
  if (i < end && buf[i] === 58) {
    if (end - i < 3) return NaN;
    ss = digits2(buf, i + 1);
    if (ss < 0 || ss > 59) return NaN;
    i += 3;
    if (i < end && (buf[i] === DOT || buf[i] === 44)) {
      i++;
      let scale = 100;
      const from = i;
      while (i < end) {
        const d = buf[i]! - ZERO;
        if (d < 0 || d > 9) break;
        ms += d * scale;
        scale /= 10;
        i++;
      }
      if (i === from || i - from > 9) return NaN;
    }
  }
  let offset = 0;
  if (i < end) {
    const c = buf[i];
    if (c === 90 || c === 122) {
      if (i + 1 !== end) return NaN; // Z z
    } else if (c === PLUS || c === MINUS) {
      const oh = end - i >= 3 ? digits2(buf, i + 1) : -1;
      let om = 0;
      let j = i + 3;
      if (j < end) {
        if (buf[j] === 58) j++;
        if (end - j !== 2) return NaN;
        om = digits2(buf, j);
      }
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
      offset = (c === MINUS ? -1 : 1) * (oh * 60 + om) * 60_000;
    } else return NaN;
  }
  return day + hh * 3_600_000 + mm * 60_000 + ss * 1000 + Math.floor(ms) - offset;
}

const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[65 + i] = 10 + i;
  HEX_VALUE[97 + i] = 10 + i;
}

const NOT_HEX = Uint8Array.from({ length: 256 }, (_, c) => (HEX_VALUE[c]! < 0 ? 1 : 0));

/** `8-4-4-4-12` hexadecimal digits, any case (branch-free over the digits: measured 2x the naive loop). */
export function isUuidBytes(buf: Uint8Array, start: number, end: number): boolean {
  if (
    end - start !== 36 ||
    buf[start + 8] !== MINUS ||
    buf[start + 13] !== MINUS ||
    buf[start + 18] !== MINUS ||
    buf[start + 23] !== MINUS
  ) {
    return false;
  }
  let bad = 0;
  for (let i = start; i < start + 8; i++) bad |= NOT_HEX[buf[i]!]!;
  for (let i = start + 9; i < start + 13; i++) bad |= NOT_HEX[buf[i]!]!;
  for (let i = start + 14; i < start + 18; i++) bad |= NOT_HEX[buf[i]!]!;
  for (let i = start + 19; i < start + 23; i++) bad |= NOT_HEX[buf[i]!]!;
  for (let i = start + 24; i < end; i++) bad |= NOT_HEX[buf[i]!]!;
  return bad === 0;
}

/** One `@` with a non-empty local part, a domain with a dot, and no whitespace or control characters. */
export function isEmailBytes(buf: Uint8Array, start: number, end: number): boolean {
  let at = -1;
  let dotAfterAt = false;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c <= 32 || c === 127) return false;
    if (c === 64) {
      if (at >= 0) return false;
      at = i;
    } else if (c === DOT && at >= 0 && i > at + 1 && i < end - 1) dotAfterAt = true;
  }
  return at > start && dotAfterAt;
}

/** Characters (Unicode code points) of UTF-8 bytes: every byte but continuation bytes starts one. */
export function codePointLength(buf: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if ((buf[i]! & 0xc0) !== 0x80) n++;
  return n;
}

const HOSTNAME = /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;

/**
 * A Java `DateTimeFormatter` pattern compiled to byte matching (`yyyy-MM-dd`, `dd/MM/yyyy HH:mm:ss`,
 * `yyyyMMdd`, `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`). Returns null for letters it does not support.
 */
export function compileDateTimePattern(
  pattern: string,
): ((buf: Uint8Array, start: number, end: number) => number) | null {
  type Token = { kind: 'literal'; byte: number } | { kind: 'field'; letter: string; width: number };
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length;) {
    const ch = pattern[i]!;
    if (ch === "'") {
      const close = pattern.indexOf("'", i + 1);
      if (close < 0) return null;
      const text = close === i + 1 ? "'" : pattern.slice(i + 1, close);
      for (const b of Buffer.from(text, 'utf8')) tokens.push({ kind: 'literal', byte: b });
      i = close + 1;
    } else if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      if (!'yuMdHhmsSXxZa'.includes(ch)) return null;
      tokens.push({ kind: 'field', letter: ch, width: j - i });
      i = j;
    } else {
      // Optional sections (`[...]`) and non-ASCII literals are not supported.
      if (ch.charCodeAt(0) > 127 || ch === '[' || ch === ']') return null;
      tokens.push({ kind: 'literal', byte: ch.charCodeAt(0) });
      i++;
    }
  }
  return (buf, start, end) => {
    let i = start;
    let year = 1970;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let millis = 0;
    let offset = 0;
    let pm = -1;
    const readDigits = (min: number, max: number): number => {
      let v = 0;
      let n = 0;
      while (n < max && i < end) {
        const d = buf[i]! - ZERO;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
        n++;
        i++;
      }
      return n < min ? -1 : v;
    };
    for (const t of tokens) {
      if (t.kind === 'literal') {
        if (i >= end || buf[i] !== t.byte) return NaN;
        i++;
        continue;
      }
      const fixed = t.width >= 2 ? t.width : 1;
      const variable = t.width === 1 ? 2 : t.width;
      switch (t.letter) {
        case 'y':
        case 'u': {
          const v = t.width === 2 ? readDigits(2, 2) : readDigits(4, 4);
          if (v < 0) return NaN;
          year = t.width === 2 ? 2000 + v : v;
          break;
        }
        case 'M':
          if (t.width > 2) return NaN;
          month = readDigits(fixed, variable);
          break;
        case 'd':
          day = readDigits(fixed, variable);
          break;
        case 'H':
        case 'h':
          hour = readDigits(fixed, variable);
          if (t.letter === 'h' && (hour < 1 || hour > 12)) return NaN;
          break;
        case 'm':
          minute = readDigits(fixed, variable);
          break;
        case 's':
          second = readDigits(fixed, variable);
          break;
        case 'S': {
          const from = i;
          const v = readDigits(t.width, t.width);
          if (v < 0) return NaN;
          millis = Math.floor((v / 10 ** (i - from)) * 1000);
          break;
        }
        case 'a': {
          if (end - i < 2) return NaN;
          const c = buf[i]! | 0x20;
          if ((buf[i + 1]! | 0x20) !== 0x6d || (c !== 0x61 && c !== 0x70)) return NaN;
          pm = c === 0x70 ? 1 : 0;
          i += 2;
          break;
        }
        default: {
          // X, x, Z: `Z` (X only) or +HH, +HHmm, +HH:mm
          if (i < end && buf[i] === 90 && t.letter === 'X') {
            i++;
            break;
          }
          const sign = buf[i];
          if (sign !== PLUS && sign !== MINUS) return NaN;
          i++;
          const oh = readDigits(2, 2);
          let om = 0;
          if (i < end && buf[i] === 58) i++;
          if (i < end) om = readDigits(2, 2);
          if (oh < 0 || om < 0 || oh > 23 || om > 59) return NaN;
          offset = (sign === MINUS ? -1 : 1) * (oh * 60 + om) * 60_000;
        }
      }
      if (month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return NaN;
    }
    if (i !== end) return NaN;
    if (pm === 1 && hour < 12) hour += 12;
    else if (pm === 0 && hour === 12) hour = 0;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
    if (hour > 23 || minute > 59 || second > 59) return NaN;
    return (
      daysFromCivil(year, month, day) * DAY_MS + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis - offset
    );
  };
}

type BytesParser = (buf: Uint8Array, start: number, end: number) => number;

/** The parser of a column's values: a number (epoch milliseconds for dates and timestamps, 1/0 for booleans) or NaN. */
export function columnParser(spec: Pick<ColumnSpec, 'logicalType' | 'format'>): {
  parse: BytesParser | null;
  warning?: string;
} {
  switch (spec.logicalType) {
    case 'integer':
      return { parse: parseIntegerBytes };
    case 'number':
      return { parse: parseNumberBytes };
    case 'boolean':
      return { parse: (b, s, e) => parseBooleanBytes(b, s, e) };
    case 'date':
    case 'timestamp': {
      const iso = spec.logicalType === 'date' ? parseIsoDateBytes : parseIsoTimestampBytes;
      if (spec.format === undefined) return { parse: iso };
      const custom = compileDateTimePattern(spec.format);
      if (custom === null) {
        return { parse: iso, warning: `format '${spec.format}' is not supported; ISO-8601 is checked instead` };
      }
      return { parse: custom };
    }
    case 'string':
      return { parse: null };
  }
}

/** A date or timestamp bound (ISO-8601) or a number, as the number the parser produces. */
function boundValue(kind: number, value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (kind === KIND_DATE || kind === KIND_TIMESTAMP) {
    const bytes = Buffer.from(value, 'utf8');
    const v = parseIsoTimestampBytes(bytes, 0, bytes.length);
    return Number.isNaN(v) ? undefined : v;
  }
  const v = Number(value);
  return Number.isNaN(v) ? undefined : v;
}

/** The constraints of a rule: a column's spec, or an `invalidValues` check's own arguments. */
export type RuleSpec = Pick<
  ColumnSpec,
  | 'logicalType'
  | 'minimum'
  | 'maximum'
  | 'exclusiveMinimum'
  | 'exclusiveMaximum'
  | 'minLength'
  | 'maxLength'
  | 'pattern'
  | 'format'
  | 'validValues'
>;

const FORMAT_NONE = 0;
const FORMAT_UUID = 1;
const FORMAT_EMAIL = 2;
const FORMAT_URI = 3;
const FORMAT_HOSTNAME = 4;
const FORMAT_IPV4 = 5;
const FORMAT_IPV6 = 6;
const STRING_FORMATS: Readonly<Record<string, number>> = {
  uuid: FORMAT_UUID,
  email: FORMAT_EMAIL,
  uri: FORMAT_URI,
  url: FORMAT_URI,
  hostname: FORMAT_HOSTNAME,
  ipv4: FORMAT_IPV4,
  ipv6: FORMAT_IPV6,
};

/** The pattern without its outer `^` and `$` (it is matched against the whole value anyway). */
const patternBody = (pattern: string): string => pattern.replace(/^\^/, '').replace(/(?<!\\)\$$/, '');

/** A regular expression matched against the whole value, `u` flag when the pattern allows it. */
export function compilePattern(pattern: string): RegExp {
  const anchored = `^(?:${patternBody(pattern)})$`;
  try {
    return new RegExp(anchored, 'u');
  } catch {
    return new RegExp(anchored);
  }
}

/**
 * A column's constraints compiled once. `check*` return {@link OK} or the failure code; numeric bounds and numeric
 * allowed values apply to the number the column's parser produced, so a value is parsed once for every rule and the
 * profile.
 */
export class ValueRule {
  public readonly kind: number;
  private readonly hasMin: boolean;
  private readonly min: number;
  private readonly minExclusive: boolean;
  private readonly hasMax: boolean;
  private readonly max: number;
  private readonly maxExclusive: boolean;
  private readonly minLength: number;
  private readonly maxLength: number;
  private readonly pattern: RegExp | null;
  /** The pattern on bytes, when it compiles to an automaton (no string per value). */
  private readonly automaton: PatternAutomaton | null;
  private readonly format: number;
  private readonly allowedStrings: ReadonlySet<string> | null;
  /** Few allowed strings are compared as bytes (no string per value). */
  private readonly allowedBytes: readonly Buffer[] | null;
  private readonly allowedNumbers: ReadonlySet<number> | null;
  /** Whether the rule needs the value as a string (pattern, allowed strings, some formats). */
  public readonly needsString: boolean;
  public readonly warnings: readonly string[];
  private readonly spec: RuleSpec;

  constructor(spec: RuleSpec) {
    this.spec = spec;
    const warnings: string[] = [];
    const kind = kindOf(spec.logicalType);
    this.kind = kind;
    const min = boundValue(kind, spec.minimum);
    const max = boundValue(kind, spec.maximum);
    if (spec.minimum !== undefined && min === undefined)
      warnings.push(`minimum '${spec.minimum}' is not a valid bound`);
    if (spec.maximum !== undefined && max === undefined)
      warnings.push(`maximum '${spec.maximum}' is not a valid bound`);
    this.hasMin = min !== undefined;
    this.min = min ?? 0;
    this.minExclusive = spec.exclusiveMinimum === true;
    this.hasMax = max !== undefined;
    this.max = max ?? 0;
    this.maxExclusive = spec.exclusiveMaximum === true;
    this.minLength = spec.minLength ?? -1;
    this.maxLength = spec.maxLength ?? -1;
    this.pattern = spec.pattern === undefined ? null : compilePattern(spec.pattern);
    this.automaton = spec.pattern === undefined ? null : compileAutomaton(patternBody(spec.pattern));
    let format = FORMAT_NONE;
    if (kind === KIND_STRING && spec.format !== undefined) {
      format = STRING_FORMATS[spec.format.toLowerCase()] ?? FORMAT_NONE;
      if (format === FORMAT_NONE) warnings.push(`string format '${spec.format}' is not checked`);
    }
    this.format = format;
    const values = spec.validValues;
    if (values !== undefined && values.length > 0) {
      if (kind === KIND_STRING || kind === KIND_DATE || kind === KIND_TIMESTAMP) {
        const strings = [...new Set(values.map(String))];
        this.allowedBytes = strings.length <= 32 ? strings.map((v) => Buffer.from(v, 'utf8')) : null;
        this.allowedStrings = this.allowedBytes === null ? new Set(strings) : null;
        this.allowedNumbers = null;
      } else {
        const numbers = new Set<number>();
        for (const v of values) {
          const n = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : parseLoose(kind, v);
          if (Number.isNaN(n)) warnings.push(`allowed value '${String(v)}' is not a ${spec.logicalType}`);
          else numbers.add(n);
        }
        this.allowedNumbers = numbers;
        this.allowedStrings = null;
        this.allowedBytes = null;
      }
    } else {
      this.allowedStrings = null;
      this.allowedBytes = null;
      this.allowedNumbers = null;
    }
    this.needsString =
      (this.pattern !== null && this.automaton === null) ||
      this.allowedStrings !== null ||
      format === FORMAT_URI ||
      format === FORMAT_HOSTNAME ||
      format === FORMAT_IPV4 ||
      format === FORMAT_IPV6;
    this.warnings = warnings;
  }

  /** Constraints on the parsed number (bounds, allowed numbers); `value` is not NaN. */
  checkNumber(value: number): number {
    if (this.hasMin && (value < this.min || (this.minExclusive && value === this.min))) return FAIL_BELOW_MIN;
    if (this.hasMax && (value > this.max || (this.maxExclusive && value === this.max))) return FAIL_ABOVE_MAX;
    if (this.allowedNumbers !== null && !this.allowedNumbers.has(value)) return FAIL_NOT_ALLOWED;
    return OK;
  }

  /**
   * Constraints on the value's UTF-8 bytes (lengths, formats) and, when `text` is given, on its string (pattern,
   * allowed strings). The caller decodes `text` only when {@link needsString} is set.
   */
  checkBytes(buf: Uint8Array, start: number, end: number, text: string | null): number {
    const minLength = this.minLength;
    const maxLength = this.maxLength;
    if (minLength >= 0 || maxLength >= 0) {
      const bytes = end - start;
      // UTF-8 takes 1 to 4 bytes per character: count characters only when the byte length cannot decide.
      if (bytes < minLength) return FAIL_TOO_SHORT;
      if (bytes > maxLength * 4 && maxLength >= 0) return FAIL_TOO_LONG;
      if ((maxLength >= 0 && bytes > maxLength) || (minLength >= 0 && bytes < minLength * 4)) {
        const n = codePointLength(buf, start, end);
        if (n < minLength) return FAIL_TOO_SHORT;
        if (maxLength >= 0 && n > maxLength) return FAIL_TOO_LONG;
      }
    }
    const format = this.format;
    if (format !== FORMAT_NONE) {
      if (format === FORMAT_UUID) {
        if (!isUuidBytes(buf, start, end)) return FAIL_FORMAT;
      } else if (format === FORMAT_EMAIL) {
        if (!isEmailBytes(buf, start, end)) return FAIL_FORMAT;
      } else if (text !== null) {
        const ok =
          format === FORMAT_URI
            ? URI.test(text)
            : format === FORMAT_HOSTNAME
              ? HOSTNAME.test(text)
              : format === FORMAT_IPV4
                ? isIPv4(text)
                : isIPv6(text);
        if (!ok) return FAIL_FORMAT;
      }
    }
    const allowed = this.allowedBytes;
    if (allowed !== null) {
      const n = end - start;
      let found = false;
      for (let k = 0; k < allowed.length && !found; k++) {
        const v = allowed[k]!;
        if (v.length !== n) continue;
        let i = 0;
        while (i < n && v[i] === buf[start + i]) i++;
        found = i === n;
      }
      if (!found) return FAIL_NOT_ALLOWED;
    }
    const automaton = this.automaton;
    if (automaton !== null) {
      const matched = automaton.match(buf, start, end);
      // A non-ASCII value goes to the RegExp, whose meaning on Unicode the automaton does not reproduce.
      if (matched === 0 || (matched < 0 && !this.pattern!.test(text ?? UTF8.decode(buf.subarray(start, end))))) {
        return FAIL_PATTERN;
      }
    } else if (text !== null && this.pattern !== null && !this.pattern.test(text)) return FAIL_PATTERN;
    if (text !== null && this.allowedStrings !== null && !this.allowedStrings.has(text)) return FAIL_NOT_ALLOWED;
    return OK;
  }

  /** Whether the rule looks at the bytes at all (lengths, formats, pattern, allowed strings). */
  get checksBytes(): boolean {
    return (
      this.minLength >= 0 ||
      this.maxLength >= 0 ||
      this.format !== FORMAT_NONE ||
      this.needsString ||
      this.pattern !== null ||
      this.allowedBytes !== null
    );
  }

  /** The reason of a failure code, in words, for examples. */
  describe(code: number): string {
    const s = this.spec;
    const temporal = this.kind === KIND_DATE || this.kind === KIND_TIMESTAMP;
    switch (code) {
      case FAIL_TYPE:
        return temporal && s.format !== undefined
          ? `not a ${s.logicalType} in format ${s.format}`
          : `not ${s.logicalType === 'integer' ? 'an' : 'a'} ${s.logicalType}`;
      case FAIL_BELOW_MIN:
        return `${this.minExclusive ? 'not above' : 'below'} minimum ${String(s.minimum)}`;
      case FAIL_ABOVE_MAX:
        return `${this.maxExclusive ? 'not below' : 'above'} maximum ${String(s.maximum)}`;
      case FAIL_TOO_SHORT:
        return `shorter than ${String(s.minLength)} characters`;
      case FAIL_TOO_LONG:
        return `longer than ${String(s.maxLength)} characters`;
      case FAIL_PATTERN:
        return `does not match pattern ${String(s.pattern)}`;
      case FAIL_FORMAT:
        return `not a valid ${String(s.format)}`;
      case FAIL_NOT_ALLOWED:
        return 'not one of the allowed values';
      default:
        return 'invalid';
    }
  }
}

function parseLoose(kind: number, text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (kind === KIND_BOOLEAN) {
    const b = parseBooleanBytes(bytes, 0, bytes.length);
    return b < 0 ? NaN : b;
  }
  return parseNumberBytes(bytes, 0, bytes.length);
}
