import { describe, expect, it } from 'vitest';
import { compileAutomaton } from '../../../functions/contracts/pattern-automaton';

/** The automaton and the RegExp must agree on every value (the automaton answers -1 for non-ASCII values). */
function agree(pattern: string, values: readonly string[]) {
  const automaton = compileAutomaton(pattern);
  expect(automaton, pattern).not.toBeNull();
  const regex = new RegExp(`^(?:${pattern})$`, 'u');
  for (const value of values) {
    const bytes = Buffer.from(value);
    const matched = automaton!.match(bytes, 0, bytes.length);
    if (matched < 0) expect([...value].some((c) => c.charCodeAt(0) > 127)).toBe(true);
    else expect(matched === 1, `${pattern} on ${JSON.stringify(value)}`).toBe(regex.test(value));
  }
}

describe('compileAutomaton', () => {
  it('matches like the RegExp on ASCII values', () => {
    const values = [
      '',
      'a',
      'ab',
      'a@b.io',
      'a@b',
      'x.y@sub.ex-ample.org',
      'A1',
      'AB12',
      'a b@c.de',
      '2024-01-31',
      '12',
      'abc-',
      '-',
      'a]',
      'tab\t',
      'é@x.io',
    ];
    agree('[^@\\s]+@[^@\\s]+\\.[a-z]+', values);
    agree('[A-Z]{2}\\d{1,2}', values);
    agree('\\d{4}-\\d{2}-\\d{2}', values);
    agree('(ab|a)(c|)-?', values);
    agree('[\\w.-]+', values);
    agree('a*b?.', values);
    agree('[]|x', values);
    agree('[^]a', [...values, '\na']);
    agree('[^a-c]+', values);
    agree('(?:\\x41|\\t)+|\\.', [...values, 'A', '\t\tA']);
  });

  it('exhaustively agrees on short strings over a small alphabet', () => {
    const alphabet = ['a', 'b', '@', '.', '1', ' '];
    const all: string[] = [''];
    for (let length = 1; length <= 4; length++) {
      for (const prefix of all.filter((s) => s.length === length - 1)) for (const c of alphabet) all.push(prefix + c);
    }
    for (const pattern of ['[^@\\s]+@[^@\\s]+\\.[a-z]+', '(a|b)*@?\\d', '.{2,3}', '[ab]{0,2}[^ab]*', '\\S\\s?\\W']) {
      agree(pattern, all);
    }
  });

  it('declines what it cannot reproduce (the RegExp is used instead)', () => {
    for (const pattern of ['(a)\\1', '(?=a)a', 'a\\b', '\\p{L}+', 'é', '(?<name>a)', 'a{2000}']) {
      expect(compileAutomaton(pattern), pattern).toBeNull();
    }
  });
});
