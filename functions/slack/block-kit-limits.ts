import type { Block, ContextBlock, MrkdwnTextObject, SectionBlock, SlackMessage, TextObject } from './block-kit';
import { mrkdwn, plainText } from './block-kit';

/**
 * Slack's Block Kit limits (REFERENCE 7.4, from the Block Kit reference and python-slack-sdk's validators) and
 * the truncation that keeps every message within them. A message over a limit is refused whole with
 * `invalid_payload`, which is permanent: the event would never reach Slack. So lists are cut with "and N more"
 * and every text is cut with an ellipsis, and {@link enforceBlockKitLimits} runs last on every message.
 */
export const BLOCK_KIT_LIMITS = {
  /** Blocks per message (100 only in modals and Home tabs). */
  blocks: 50,
  /** Section `text`. */
  sectionText: 3000,
  /** Section `fields` per section. */
  fields: 10,
  /** Each section field. */
  fieldText: 2000,
  /** Header `text` (plain_text only). */
  headerText: 150,
  /** Context `elements`. */
  contextElements: 10,
  /** Any text object, e.g. a context element. */
  textObject: 3000,
  /**
   * Top-level `text`. Slack documents no limit for webhooks (REFERENCE 7.4 and 9.9: chat.postMessage truncates
   * long text, 4000 is "safe"); this stays well below.
   */
  fallbackText: 3000,
} as const;

const ELLIPSIS = '…';

/** "…and N more" lines: `more(n)` says what was left out. */
export type MoreLabel = (omitted: number) => string;

/** A cut that never splits a surrogate pair (an emoji or a non-BMP character). */
function safeCut(text: string, end: number): string {
  if (end <= 0) return '';
  const code = text.charCodeAt(end - 1);
  return code >= 0xd800 && code <= 0xdbff ? text.slice(0, end - 1) : text.slice(0, end);
}

/** Shortens plain text to `max` characters, ending in an ellipsis when cut. */
export function truncatePlain(text: string, max: number): string {
  if (text.length <= max) return text;
  return safeCut(text, max - ELLIPSIS.length) + ELLIPSIS;
}

/**
 * Shortens mrkdwn to `max` characters, ending in an ellipsis when cut. Never leaves half a `<link|label>`,
 * mention or `&amp;` entity (Slack would show the raw markup), and closes a code span the cut opened.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  const FENCE = '```';
  // Four characters are kept back for closing what the cut opened: "\n```" for a code block, "`" for a span.
  let kept = safeCut(text, max - ELLIPSIS.length - 4);
  const open = kept.lastIndexOf('<');
  if (open > kept.lastIndexOf('>')) kept = kept.slice(0, open);
  const amp = kept.lastIndexOf('&');
  if (amp >= 0 && amp >= kept.length - 6 && !kept.slice(amp).includes(';')) kept = kept.slice(0, amp);
  const fences = kept.split(FENCE).length - 1;
  if (fences % 2 === 1) return `${kept}${ELLIPSIS}\n${FENCE}`;
  const backticks = kept.split(FENCE).join('').split('`').length - 1;
  return backticks % 2 === 1 ? `${kept}${ELLIPSIS}\`` : `${kept}${ELLIPSIS}`;
}

/** Options of {@link packLines}. */
export interface PackOptions {
  /** Characters per section text. @default BLOCK_KIT_LIMITS.sectionText */
  readonly maxChars?: number;
  /** Sections at most. @default 1 */
  readonly maxSections?: number;
  /** Items that exist but were not given (e.g. failed checks only counted); they are added to "N more". @default 0 */
  readonly unlisted?: number;
  readonly more: MoreLabel;
}

function greedySections(lines: readonly string[], maxChars: number): string[] {
  const sections: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current === '') current = line;
    else if (current.length + 1 + line.length <= maxChars) current = `${current}\n${line}`;
    else {
      sections.push(current);
      current = line;
    }
  }
  if (current !== '') sections.push(current);
  return sections;
}

/**
 * Packs mrkdwn lines (list items, each possibly multi-line) into at most `maxSections` section texts of at most
 * `maxChars`, keeping as many leading items as fit and ending with `more(n)` for the rest. Items are never split
 * across sections; an item longer than a section on its own is truncated.
 */
export function packLines(items: readonly string[], options: PackOptions): string[] {
  const maxChars = options.maxChars ?? BLOCK_KIT_LIMITS.sectionText;
  const maxSections = options.maxSections ?? 1;
  const unlisted = options.unlisted ?? 0;
  const fitted = items.map((item) => truncateMrkdwn(item, maxChars));
  // At most 50 items in any event detail: trying every count from the top is cheap and always finds the best.
  for (let shown = fitted.length; shown >= 0; shown--) {
    const omitted = fitted.length - shown + unlisted;
    const lines = omitted > 0 ? [...fitted.slice(0, shown), truncateMrkdwn(options.more(omitted), maxChars)] : fitted;
    const sections = greedySections(lines, maxChars);
    if (sections.length <= maxSections) return sections;
  }
  return [truncateMrkdwn(options.more(fitted.length + unlisted), maxChars)];
}

/** At most {@link BLOCK_KIT_LIMITS.fields} fields of at most {@link BLOCK_KIT_LIMITS.fieldText}; extras fold into "N more". */
export function fitFields(fields: readonly string[], more: MoreLabel): MrkdwnTextObject[] {
  const max = BLOCK_KIT_LIMITS.fields;
  const kept = fields.length > max ? [...fields.slice(0, max - 1), more(fields.length - (max - 1))] : fields;
  return kept.map((text) => mrkdwn(truncateMrkdwn(text, BLOCK_KIT_LIMITS.fieldText)));
}

const moreBlocks: MoreLabel = (n) => `…and ${n} more block${n === 1 ? '' : 's'}; see the report.`;
const moreElements: MoreLabel = (n) => `…and ${n} more`;

function fitText(element: TextObject): TextObject {
  return element.type === 'mrkdwn'
    ? mrkdwn(truncateMrkdwn(element.text, BLOCK_KIT_LIMITS.textObject))
    : { ...element, text: truncatePlain(element.text, BLOCK_KIT_LIMITS.textObject) };
}

function fitSection(block: SectionBlock): SectionBlock {
  const text = block.text === undefined ? undefined : truncateMrkdwn(block.text.text, BLOCK_KIT_LIMITS.sectionText);
  const fields =
    block.fields === undefined
      ? undefined
      : fitFields(
          block.fields.map((f) => f.text),
          moreElements,
        );
  return {
    type: 'section',
    ...(text === undefined ? {} : { text: mrkdwn(text) }),
    ...(fields === undefined ? {} : { fields }),
  };
}

function fitContext(block: ContextBlock): ContextBlock {
  const max = BLOCK_KIT_LIMITS.contextElements;
  const elements =
    block.elements.length > max
      ? [...block.elements.slice(0, max - 1), mrkdwn(moreElements(block.elements.length - (max - 1)))]
      : block.elements;
  return { type: 'context', elements: elements.map(fitText) };
}

function fitBlock(block: Block): Block {
  switch (block.type) {
    case 'header':
      return { type: 'header', text: plainText(truncatePlain(block.text.text, BLOCK_KIT_LIMITS.headerText)) };
    case 'section':
      return fitSection(block);
    case 'context':
      return fitContext(block);
    case 'divider':
      return block;
  }
}

/**
 * Brings any message within every limit of {@link BLOCK_KIT_LIMITS}: texts are cut with an ellipsis, surplus
 * fields, context elements and blocks are replaced by an "and N more" note. Renderers already budget their
 * lists; this is the guarantee that a mistake in one cannot turn into an `invalid_payload`.
 */
export function enforceBlockKitLimits(message: SlackMessage): SlackMessage {
  const max = BLOCK_KIT_LIMITS.blocks;
  const blocks =
    message.blocks.length > max
      ? [
          ...message.blocks.slice(0, max - 1),
          { type: 'context', elements: [mrkdwn(moreBlocks(message.blocks.length - (max - 1)))] } satisfies Block,
        ]
      : message.blocks;
  return {
    text: truncateMrkdwn(message.text, BLOCK_KIT_LIMITS.fallbackText),
    blocks: blocks.map(fitBlock),
  };
}

/** Every way `message` breaks a Block Kit limit or rule, one readable line each; empty when it is valid. */
export function blockKitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  const L = BLOCK_KIT_LIMITS;
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  check(message.text.length > 0, 'text is empty');
  check(message.text.length <= L.fallbackText, `text has ${message.text.length} characters (max ${L.fallbackText})`);
  check(message.blocks.length <= L.blocks, `${message.blocks.length} blocks (max ${L.blocks})`);
  message.blocks.forEach((block, i) => {
    const at = `blocks[${i}] (${block.type})`;
    switch (block.type) {
      case 'header':
        check(block.text.text.length > 0, `${at}: empty text`);
        check(
          block.text.text.length <= L.headerText,
          `${at}: text has ${block.text.text.length} characters (max ${L.headerText})`,
        );
        break;
      case 'section':
        check(block.text !== undefined || (block.fields?.length ?? 0) > 0, `${at}: neither text nor fields`);
        if (block.text) {
          check(block.text.text.length > 0, `${at}: empty text`);
          check(
            block.text.text.length <= L.sectionText,
            `${at}: text has ${block.text.text.length} characters (max ${L.sectionText})`,
          );
        }
        check((block.fields?.length ?? 0) <= L.fields, `${at}: ${block.fields?.length} fields (max ${L.fields})`);
        block.fields?.forEach((field, j) => {
          check(field.text.length > 0, `${at}: fields[${j}] is empty`);
          check(
            field.text.length <= L.fieldText,
            `${at}: fields[${j}] has ${field.text.length} characters (max ${L.fieldText})`,
          );
        });
        break;
      case 'context':
        check(block.elements.length > 0, `${at}: no elements`);
        check(
          block.elements.length <= L.contextElements,
          `${at}: ${block.elements.length} elements (max ${L.contextElements})`,
        );
        block.elements.forEach((element, j) => {
          check(element.text.length > 0, `${at}: elements[${j}] is empty`);
          check(
            element.text.length <= L.textObject,
            `${at}: elements[${j}] has ${element.text.length} characters (max ${L.textObject})`,
          );
        });
        break;
      case 'divider':
        break;
    }
  });
  return problems;
}
