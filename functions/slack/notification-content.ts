import type { MoreLabel } from './block-kit-limits';
import type { ConsoleLinks } from './console-links';
import type { Line } from './mrkdwn';

/** What a renderer says about one event, before it is laid out as Block Kit (`message-renderer.ts`). */
export interface NotificationContent {
  /** Slack emoji shortcode, e.g. `:no_entry:`. */
  readonly emoji: string;
  /** What happened, e.g. `Dataset rejected`; the header adds the pipeline. */
  readonly title: string;
  /** One or two sentences: what happened and what happens next. */
  readonly summary: Line;
  /** Short facts shown as a two-column grid (at most 10 shown; more fold into "and N more"). */
  readonly facts: readonly Fact[];
  /** Lists (failed checks, drifted features, reasons), each cut to fit with "and N more". */
  readonly details?: readonly DetailList[];
  /** Report and console links, most useful first. */
  readonly links: readonly LinkRef[];
}

/** A labelled value in the facts grid. */
export interface Fact {
  readonly label: string;
  readonly value: Line;
}

/** A list shown under a heading, packed into as few section blocks as it needs. */
export interface DetailList {
  readonly heading: string;
  /** One paragraph per item; strings may contain newlines. */
  readonly items: readonly Line[];
  /** Items that exist but are not in the event (e.g. failed checks beyond the listed ones). @default 0 */
  readonly unlisted?: number;
  /** Wording of the "and N more" line. */
  readonly more: MoreLabel;
  /** Section blocks the list may take. @default 1 */
  readonly maxSections?: number;
}

/** A link shown in the links row. */
export interface LinkRef {
  readonly label: string;
  readonly url: string;
}

/** What a renderer knows besides the event detail. */
export interface RenderContext {
  /** Console links in the event's region. */
  readonly links: ConsoleLinks;
  /** Bucket of contract and evaluation reports and training manifests (`reportKey`, `manifestKey`). */
  readonly artifactsBucket?: string;
  /** Bucket of quarantined files (`quarantineKey`). */
  readonly quarantineBucket?: string;
  /** The deployment's CloudWatch dashboard. */
  readonly dashboardName?: string;
}

/** Renders one event type's detail. */
export type ContentRenderer<Detail> = (detail: Detail, context: RenderContext) => NotificationContent;

/** A link to an object of the artifacts bucket, when the bucket is known. */
export function artifactLink(context: RenderContext, label: string, key: string): LinkRef[] {
  return context.artifactsBucket === undefined
    ? []
    : [{ label, url: context.links.s3Object(context.artifactsBucket, key) }];
}

/** A link to the dashboard, when there is one. */
export function dashboardLink(context: RenderContext): LinkRef[] {
  return context.dashboardName === undefined
    ? []
    : [{ label: 'Dashboard', url: context.links.dashboard(context.dashboardName) }];
}
