import { describe, expect, it } from 'vitest';
import { continuedLines } from '../../../cli/output';

describe('continuedLines', () => {
  it('indents the later lines of a multi-line reason under its first', () => {
    const reason = 'the canary alarm fired\nModelLatency p99 above 500 ms\r\nrolled back to v3\n';
    expect(continuedLines(reason, 4)).toBe(
      'the canary alarm fired\n    ModelLatency p99 above 500 ms\n    rolled back to v3',
    );
  });

  it('leaves a one-line text as it is', () => {
    expect(continuedLines('succeeded', 14)).toBe('succeeded');
    expect(continuedLines('', 14)).toBe('');
  });
});
