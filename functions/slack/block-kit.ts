/**
 * The subset of Slack Block Kit the notifier sends (docs.slack.dev/reference/block-kit/blocks; REFERENCE 7.4).
 * Link buttons are deliberately absent: without an interactivity request URL, Slack shows a warning on every
 * click of a button, so links are mrkdwn `<url|label>` in a context block instead.
 */

/** Text shown as typed; the only kind a header accepts. */
export interface PlainTextObject {
  readonly type: 'plain_text';
  readonly text: string;
  /** Renders `:shortcode:` emoji. */
  readonly emoji?: boolean;
}

/** Slack's markdown dialect: `*bold*`, `` `code` ``, `<url|label>`, mentions; `&`, `<` and `>` must be escaped. */
export interface MrkdwnTextObject {
  readonly type: 'mrkdwn';
  readonly text: string;
}

/** Either kind of text object. */
export type TextObject = PlainTextObject | MrkdwnTextObject;

/** Large bold title at the top of a message. */
export interface HeaderBlock {
  readonly type: 'header';
  readonly text: PlainTextObject;
}

/** A paragraph (`text`) and/or a two-column grid of short facts (`fields`). */
export interface SectionBlock {
  readonly type: 'section';
  readonly text?: MrkdwnTextObject;
  readonly fields?: readonly MrkdwnTextObject[];
}

/** Small grey text: links and provenance. */
export interface ContextBlock {
  readonly type: 'context';
  readonly elements: readonly TextObject[];
}

/** A horizontal rule. */
export interface DividerBlock {
  readonly type: 'divider';
}

/** Any block the notifier sends. */
export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock;

/**
 * An incoming-webhook payload. With `blocks` present Slack shows the blocks, and uses `text` for the
 * notification and wherever blocks cannot be shown (REFERENCE 7.1), so `text` is always set.
 */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Block[];
}

/** `{ type: 'mrkdwn', text }`. */
export const mrkdwn = (text: string): MrkdwnTextObject => ({ type: 'mrkdwn', text });

/** `{ type: 'plain_text', text, emoji: true }`. */
export const plainText = (text: string): PlainTextObject => ({ type: 'plain_text', text, emoji: true });
