import { describe, expect, it } from 'vitest';
import { mrkdwn, plainText, type Block, type SlackMessage } from '../../../functions/slack/block-kit';
import {
  BLOCK_KIT_LIMITS,
  blockKitViolations,
  enforceBlockKitLimits,
  fitFields,
  packLines,
  truncateMrkdwn,
  truncatePlain,
} from '../../../functions/slack/block-kit-limits';

const more = (n: number) => `…and ${n} more`;

describe('truncateMrkdwn', () => {
  it('leaves text that fits alone', () => {
    expect(truncateMrkdwn('short', 10)).toBe('short');
  });

  it('cuts with an ellipsis, within the limit', () => {
    const cut = truncateMrkdwn('a'.repeat(100), 20);
    expect(cut.length).toBeLessThanOrEqual(20);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never leaves half a link or mention', () => {
    const text = `see ${'x'.repeat(10)} <https://example.com/a/very/long/path|the report> and more text here`;
    const cut = truncateMrkdwn(text, 40);
    expect(cut).toBe(`see ${'x'.repeat(10)} …`);
  });

  it('never leaves half an entity', () => {
    const cut = truncateMrkdwn(`${'x'.repeat(12)}&amp;${'y'.repeat(20)}`, 20);
    expect(cut).toBe(`${'x'.repeat(12)}…`);
  });

  it('closes a code span or a code block that the cut opened', () => {
    expect(truncateMrkdwn(`ab \`${'c'.repeat(40)}\``, 20)).toMatch(/^ab `c+…`$/);
    const block = truncateMrkdwn(`\`\`\`\n${'d'.repeat(60)}\n\`\`\``, 30);
    expect(block).toMatch(/^```\nd+…\n```$/);
    expect(block.length).toBeLessThanOrEqual(30);
  });

  it('never splits an emoji', () => {
    const cut = truncateMrkdwn(`${'x'.repeat(13)}😀😀😀😀`, 20);
    expect(cut).not.toMatch(/[\uD800-\uDBFF]…/);
  });
});

describe('truncatePlain', () => {
  it('cuts plain text to the limit', () => {
    expect(truncatePlain('x'.repeat(200), 150)).toHaveLength(150);
  });
});

describe('packLines', () => {
  it('keeps every item when they fit', () => {
    expect(packLines(['a', 'b', 'c'], { maxChars: 100, more })).toEqual(['a\nb\nc']);
  });

  it('adds "and N more" with the items that do not fit and the unlisted ones', () => {
    const items = Array.from({ length: 10 }, (_, i) => `item ${i} ${'x'.repeat(20)}`);
    const [text, ...rest] = packLines(items, { maxChars: 100, unlisted: 5, more });
    expect(rest).toEqual([]);
    expect(text?.length).toBeLessThanOrEqual(100);
    const shown = text?.split('\n').filter((line) => line.startsWith('item')).length ?? 0;
    expect(text).toContain(`…and ${10 - shown + 5} more`);
  });

  it('spreads items over several sections without splitting one', () => {
    const items = Array.from({ length: 6 }, (_, i) => `${i}${'x'.repeat(39)}`);
    const sections = packLines(items, { maxChars: 100, maxSections: 3, more });
    expect(sections).toHaveLength(3);
    for (const section of sections) expect(section.length).toBeLessThanOrEqual(100);
    expect(sections.join('\n').split('\n')).toHaveLength(6);
  });

  it('says only "and N more" when no item fits', () => {
    expect(packLines(['x'.repeat(50)], { maxChars: 20, maxSections: 0, more })).toEqual(['…and 1 more']);
  });
});

describe('fitFields', () => {
  it('folds fields beyond ten into "and N more"', () => {
    const fields = fitFields(
      Array.from({ length: 14 }, (_, i) => `field ${i}`),
      more,
    );
    expect(fields).toHaveLength(10);
    expect(fields[9]?.text).toBe('…and 5 more');
  });
});

describe('enforceBlockKitLimits', () => {
  const oversized: SlackMessage = {
    text: 't'.repeat(10_000),
    blocks: [
      { type: 'header', text: plainText('h'.repeat(500)) },
      {
        type: 'section',
        text: mrkdwn('s'.repeat(5000)),
        fields: Array.from({ length: 12 }, () => mrkdwn('f'.repeat(2500))),
      },
      { type: 'context', elements: Array.from({ length: 12 }, () => mrkdwn('c'.repeat(4000))) },
      ...Array.from({ length: 60 }, (): Block => ({ type: 'divider' })),
    ],
  };

  it('finds every broken limit', () => {
    const problems = blockKitViolations(oversized);
    expect(problems).toEqual(
      expect.arrayContaining([
        `text has 10000 characters (max ${BLOCK_KIT_LIMITS.fallbackText})`,
        '63 blocks (max 50)',
        'blocks[0] (header): text has 500 characters (max 150)',
        'blocks[1] (section): text has 5000 characters (max 3000)',
        'blocks[1] (section): 12 fields (max 10)',
        'blocks[1] (section): fields[0] has 2500 characters (max 2000)',
        'blocks[2] (context): 12 elements (max 10)',
        'blocks[2] (context): elements[0] has 4000 characters (max 3000)',
      ]),
    );
  });

  it('brings any message within every limit, saying how many blocks were left out', () => {
    const fitted = enforceBlockKitLimits(oversized);
    expect(blockKitViolations(fitted)).toEqual([]);
    const last = fitted.blocks.at(-1);
    expect(last?.type === 'context' && last.elements[0]?.text).toBe('…and 14 more blocks; see the report.');
  });

  it('reports empty texts and sections without content', () => {
    expect(blockKitViolations({ text: '', blocks: [{ type: 'section' }] })).toEqual([
      'text is empty',
      'blocks[0] (section): neither text nor fields',
    ]);
  });
});
