/**
 * Message text as small typed pieces, rendered two ways: Slack mrkdwn for the blocks and plain text for the
 * notification fallback. Every value from an event goes through {@link escapeMrkdwn} here and nowhere else, so a
 * column value such as `<!channel>` or `*` can never ping a channel or break the formatting.
 */

/** A piece of a line: literal text, a code span, bold text, a link, or a Slack mention (passed through as is). */
export type Inline =
  | string
  | { readonly code: string }
  | { readonly bold: string }
  | { readonly link: string; readonly label: string }
  | { readonly preformatted: string }
  | { readonly mention: string };

/** One line (or paragraph) of a message, as pieces. */
export type Line = readonly Inline[];

/** A value as a contract check saw or wanted it. */
export type Scalar = string | number | boolean | null;

/** Escapes the three characters Slack treats as control characters in any text (`&`, `<`, `>`). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A code span; a scalar is shown as {@link formatScalar} does. */
export const code = (value: Scalar): Inline => ({ code: typeof value === 'string' ? value : formatScalar(value) });
/** Bold text. */
export const bold = (text: string): Inline => ({ bold: text });
/** A link with a label. */
export const link = (url: string, label: string): Inline => ({ link: url, label });
/** A preformatted block (an error message, a failure reason), on lines of its own. */
export const preformatted = (text: string): Inline => ({ preformatted: text });
/** A Slack mention from the pipeline configuration (already validated as `<@U…>`, `<!subteam^…>`, ...). */
export const mention = (text: string): Inline => ({ mention: text });

/** Characters that would end a code span or bold early are swapped for look-alikes; control characters are shown. */
function codeText(value: string): string {
  if (value === '') return '""';
  return value
    .replace(/`/g, 'ˋ')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/\t/g, '\\t');
}

/** URLs are built by `console-links.ts` and already encoded; these characters would still end the link markup. */
function linkUrl(url: string): string {
  return url.replace(/[|<> ]/g, (c) => encodeURIComponent(c));
}

function inlineToMrkdwn(piece: Inline): string {
  if (typeof piece === 'string') return escapeMrkdwn(piece);
  if ('code' in piece) return `\`${escapeMrkdwn(codeText(piece.code))}\``;
  if ('bold' in piece) {
    const text = piece.bold.trim().replace(/\*/g, '∗');
    return text === '' ? '' : `*${escapeMrkdwn(text)}*`;
  }
  if ('link' in piece) return `<${linkUrl(piece.link)}|${escapeMrkdwn(piece.label.replace(/\|/g, '¦'))}>`;
  if ('preformatted' in piece) return `\`\`\`\n${escapeMrkdwn(piece.preformatted.replace(/`/g, 'ˋ'))}\n\`\`\``;
  return piece.mention;
}

function inlineToPlain(piece: Inline): string {
  if (typeof piece === 'string') return escapeMrkdwn(piece);
  if ('code' in piece) return escapeMrkdwn(codeText(piece.code));
  if ('bold' in piece) return escapeMrkdwn(piece.bold);
  if ('link' in piece) return `<${linkUrl(piece.link)}|${escapeMrkdwn(piece.label.replace(/\|/g, '¦'))}>`;
  if ('preformatted' in piece) return escapeMrkdwn(piece.preformatted);
  return piece.mention;
}

/** A line as Slack mrkdwn. */
export function toMrkdwn(line: Line): string {
  return line.map(inlineToMrkdwn).join('');
}

/**
 * A line as fallback text: no bold or code markers, but still escaped (Slack parses `text` too), links kept as
 * `<url|label>` (shown as the label) and mentions kept so the notification pings.
 */
export function toPlain(line: Line): string {
  return line.map(inlineToPlain).join('');
}

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const LARGE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const SMALL = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });

/** A metric or threshold: integers grouped (`12,345`), others to 4 significant digits (`0.9123`). */
export function formatFigure(value: number): string {
  if (Number.isInteger(value)) return INTEGER.format(value);
  return Math.abs(value) >= 1000 ? LARGE.format(value) : SMALL.format(value);
}

/** A signed difference: `+0.015`, `-0.02`, `±0`. */
export function formatDelta(value: number): string {
  if (value === 0) return '±0';
  return value > 0 ? `+${formatFigure(value)}` : formatFigure(value);
}

/** `part` of `whole` as a percentage with one decimal; `n/a` for an empty whole. */
export function formatPercent(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${((part / whole) * 100).toFixed(1)}%`;
}

/** A contract-check value: strings as they are, `null` as `null`, numbers as {@link formatFigure}. */
export function formatScalar(value: Scalar): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatFigure(value);
  return String(value);
}

/** An ISO-8601 time as `2026-05-01 14:03 UTC` (minutes are what a reader of a notification needs). */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : iso;
}

/** `1 file`, `3 files`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatFigure(count)} ${count === 1 ? singular : pluralForm}`;
}
