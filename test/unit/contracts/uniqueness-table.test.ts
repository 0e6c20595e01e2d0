import { describe, expect, it } from 'vitest';
import { Hasher, UniquenessTable } from '../../../functions/contracts/uniqueness-table';

const h = new Hasher();
const key = (value: string | number): [number, number] => {
  if (typeof value === 'number') h.number(value);
  else {
    const bytes = Buffer.from(value);
    h.bytes(bytes, 0, bytes.length);
  }
  return [h.h1, h.h2];
};

describe('Hasher', () => {
  it('gives distinct 64-bit hashes to a million sequential numbers and strings', () => {
    for (const make of [(i: number) => i, (i: number) => `id-${i}`, (i: number) => i / 8]) {
      const seen = new Set<string>();
      for (let i = 0; i < 1_000_000; i++) seen.add(key(make(i)).join(':'));
      expect(seen.size).toBe(1_000_000);
    }
  });

  it('hashes a number by value (-0 is 0)', () => {
    expect(key(-0)).toEqual(key(0));
    expect(key(7)).not.toEqual(key(7.000001));
  });
});

describe('UniquenessTable', () => {
  it('finds duplicates and grows', () => {
    const table = new UniquenessTable(1_000_000, 4);
    let duplicates = 0;
    for (let i = 0; i < 100_000; i++) if (!table.add(...key(i % 60_000))) duplicates++;
    expect([duplicates, table.size]).toEqual([40_000, 60_000]);
    expect(table.byteLength).toBe(131_072 * 8);
  });

  it('stops at maxKeys instead of growing without bound, and frees its memory', () => {
    const table = new UniquenessTable(1000);
    for (let i = 0; i < 1001; i++) table.add(...key(i));
    expect(table.overflowed).toBe(true);
    expect(table.byteLength).toBeLessThan(100);
    expect(table.add(...key(1))).toBe(true);
  });

  it('merges the table of a following range and counts the keys both had', () => {
    const a = new UniquenessTable(10_000);
    const b = new UniquenessTable(10_000);
    for (let i = 0; i < 1000; i++) a.add(...key(i));
    for (let i = 900; i < 1500; i++) b.add(...key(i));
    expect(a.merge(UniquenessTable.fromState(b.toState(), 10_000))).toBe(100);
    expect(a.size).toBe(1500);
    expect(a.has(...key(1499))).toBe(true);
  });

  it('overflows on merge when the union is too large', () => {
    const a = new UniquenessTable(1500);
    const b = new UniquenessTable(1500);
    for (let i = 0; i < 1000; i++) a.add(...key(i));
    for (let i = 1000; i < 2000; i++) b.add(...key(i));
    a.merge(b);
    expect(a.overflowed).toBe(true);
  });
});

describe('UniquenessTable: integers', () => {
  it('keeps dense integers in a bitmap (1 bit each) and finds their duplicates', () => {
    const table = new UniquenessTable(10_000_000);
    let duplicates = 0;
    for (let i = 0; i < 3_000_000; i++) if (!table.addInteger(1_000_000 + (i % 2_000_000))) duplicates++;
    for (let i = 0; i < 1000; i++) if (!table.addInteger(-i)) duplicates++;
    expect([duplicates, table.size]).toEqual([1_000_000, 2_001_000]);
    expect(table.byteLength).toBeLessThan(2 << 20);
  });

  it('hashes sparse integers, and an integer is the same key in both forms', () => {
    const sparse = new UniquenessTable(1_000_000);
    for (let i = 0; i < 1000; i++) sparse.addInteger(i * 1e9);
    expect(sparse.addInteger(5e9)).toBe(false);
    expect(sparse.byteLength).toBeGreaterThan(8 * 1000);
    const dense = new UniquenessTable(1_000_000);
    for (let i = 0; i < 100; i++) dense.addInteger(i);
    expect(dense.countCommon(UniquenessTable.fromState(sparse.toState(), 1_000_000))).toBe(1); // 0
    expect(dense.merge(sparse)).toBe(1);
    expect(dense.size).toBe(1099);
    expect(dense.hasInteger(99)).toBe(true);
    expect(dense.hasInteger(4e9)).toBe(true);
  });

  it('merges two bitmaps a word at a time: the same counts as adding the keys one by one', () => {
    const fill = (values: number[]) => {
      const t = new UniquenessTable(1_000_000);
      for (const v of values) t.addInteger(v);
      return t;
    };
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    const cases: [number[], number[]][] = [
      [range(0, 5000), range(4000, 9000)], // overlap, extends upwards
      [range(10_000, 12_000), range(-3000, 10_050)], // extends downwards and overlaps
      [range(0, 100), range(500_000, 500_100)], // disjoint
      [range(0, 100), range(1e9, 1e9 + 100)], // too far apart for one bitmap: one by one, hashed
      [[], range(7, 77)], // no integer yet
      [range(0, 3000).filter((v) => v % 3 === 0), range(0, 3000).filter((v) => v % 2 === 0)],
    ];
    for (const [first, second] of cases) {
      const expected = second.filter((v) => first.includes(v)).length;
      const a = fill(first);
      const b = UniquenessTable.fromState(fill(second).toState(), 1_000_000);
      expect(a.countCommon(b)).toBe(expected);
      expect(a.merge(b)).toBe(expected);
      expect(a.size).toBe(new Set([...first, ...second]).size);
      for (const v of [...first, ...second]) expect(a.hasInteger(v)).toBe(true);
      expect(a.hasInteger(-5000)).toBe(false);
    }
  });

  it('drops a merged bitmap past maxKeys, as adding one by one would', () => {
    const a = new UniquenessTable(150);
    const b = new UniquenessTable(150);
    for (let i = 0; i < 100; i++) a.addInteger(i);
    for (let i = 50; i < 150; i++) b.addInteger(i);
    expect(a.merge(b)).toBe(50);
    expect(a.overflowed).toBe(false);
    const c = new UniquenessTable(150);
    for (let i = 150; i < 151; i++) c.addInteger(i);
    expect(a.merge(c)).toBe(0);
    expect(a.overflowed).toBe(true);
  });

  it('counts integers and hashes against the limit together', () => {
    const table = new UniquenessTable(10);
    for (let i = 0; i < 5; i++) table.addInteger(i);
    for (let i = 0; i < 5; i++) table.add(...key(`s${i}`));
    expect(table.overflowed).toBe(false);
    table.addInteger(99);
    expect(table.overflowed).toBe(true);
  });
});
