import type * as z from 'zod';
import {
  DatasetAccepted,
  DatasetRejected,
  DeploymentFailed,
  DeploymentRolledBack,
  DeploymentStarted,
  DeploymentSucceeded,
  DriftDetected,
  EvaluationCompleted,
  ModelDegraded,
  ModelRegistered,
  ModelRejected,
  TrainingFailed,
  TrainingStarted,
  TrainingSucceeded,
  parseLifecycleEvent,
  type LifecycleEventDefinition,
  type LifecycleEventName,
  type LifecycleSource,
} from '../events/lifecycle';
import type { ParseResult } from '../events/parse-result';
import { BLOCK_KIT_LIMITS, enforceBlockKitLimits, fitFields, packLines } from './block-kit-limits';
import { mrkdwn, plainText, type Block, type SlackMessage } from './block-kit';
import { code, escapeMrkdwn, formatTime, mention as mentionPiece, toMrkdwn, toPlain, type Line } from './mrkdwn';
import type { ContentRenderer, NotificationContent, RenderContext } from './notification-content';
import { renderDatasetAccepted, renderDatasetRejected } from './renderers/dataset';
import {
  renderDeploymentFailed,
  renderDeploymentRolledBack,
  renderDeploymentStarted,
  renderDeploymentSucceeded,
} from './renderers/deployment';
import { renderDriftDetected, renderEvaluationCompleted, renderModelDegraded } from './renderers/evaluation';
import { renderModelRegistered, renderModelRejected } from './renderers/registry';
import { renderTrainingFailed, renderTrainingStarted, renderTrainingSucceeded } from './renderers/training';

/**
 * Events that need someone to act, so their message starts with the pipeline's `notifications.mention`:
 * data that broke its contract, a failed or rejected run, a failed or rolled-back deployment, and live
 * degradation or drift. `Model Rejected` is in: the champion keeps serving, but a model that should have replaced
 * it did not, and only a person can say whether the data, the code or the gate is wrong.
 */
export const MENTIONED_EVENTS: ReadonlySet<LifecycleEventName> = new Set<LifecycleEventName>([
  'Dataset Rejected',
  'Training Failed',
  'Model Rejected',
  'Deployment Failed',
  'Deployment Rolled Back',
  'Model Degraded',
  'Drift Detected',
]);

/** What the renderer needs besides the event: links, buckets, and the pipeline's mention. */
export interface RenderOptions extends RenderContext {
  /** Pipeline's `notifications.mention`; used for {@link MENTIONED_EVENTS} only. */
  readonly mention?: string;
}

/** A received lifecycle event, validated, that can render itself as a Slack message. */
export interface NotificationEvent {
  /** EventBridge event id: the same for every delivery of one event. */
  readonly id: string;
  readonly detailType: LifecycleEventName;
  readonly source: string;
  readonly time: string;
  readonly pipeline: string;
  /** Absent in events the local emulator delivers without it. */
  readonly region?: string;
  readonly replayName?: string;
  render(options: RenderOptions): SlackMessage;
}

interface RendererEntry {
  readonly detailType: LifecycleEventName;
  parse(event: unknown): ParseResult<NotificationEvent>;
}

function entry<S extends z.ZodType<{ readonly pipeline: string }>>(
  definition: LifecycleEventDefinition<LifecycleSource, LifecycleEventName, S>,
  renderer: ContentRenderer<z.output<S>>,
): RendererEntry {
  return {
    detailType: definition.detailType,
    parse(event) {
      const parsed = parseLifecycleEvent(definition, event);
      if (!parsed.ok) return parsed;
      const envelope = parsed.value;
      const pipeline = envelope.detail.pipeline;
      return {
        ok: true,
        value: {
          id: envelope.id,
          detailType: definition.detailType,
          source: envelope.source,
          time: envelope.time,
          pipeline,
          ...(envelope.region === undefined ? {} : { region: envelope.region }),
          ...(envelope.replayName === undefined ? {} : { replayName: envelope.replayName }),
          render: (options) =>
            layoutMessage(renderer(envelope.detail, options), {
              id: envelope.id,
              detailType: definition.detailType,
              source: envelope.source,
              time: envelope.time,
              pipeline,
              mention: MENTIONED_EVENTS.has(definition.detailType) ? options.mention : undefined,
              replayName: envelope.replayName,
            }),
        },
      };
    },
  };
}

/** One renderer per lifecycle event; `satisfies` below makes a missing one a compile error. */
const RENDERERS = [
  entry(DatasetAccepted, renderDatasetAccepted),
  entry(DatasetRejected, renderDatasetRejected),
  entry(TrainingStarted, renderTrainingStarted),
  entry(TrainingSucceeded, renderTrainingSucceeded),
  entry(TrainingFailed, renderTrainingFailed),
  entry(ModelRegistered, renderModelRegistered),
  entry(ModelRejected, renderModelRejected),
  entry(DeploymentStarted, renderDeploymentStarted),
  entry(DeploymentSucceeded, renderDeploymentSucceeded),
  entry(DeploymentFailed, renderDeploymentFailed),
  entry(DeploymentRolledBack, renderDeploymentRolledBack),
  entry(EvaluationCompleted, renderEvaluationCompleted),
  entry(ModelDegraded, renderModelDegraded),
  entry(DriftDetected, renderDriftDetected),
];
const BY_DETAIL_TYPE: ReadonlyMap<string, RendererEntry> = new Map(RENDERERS.map((r) => [r.detailType, r]));

/** Detail-types that have a renderer (all of `LIFECYCLE_EVENTS`; asserted in the tests). */
export const RENDERED_EVENTS: readonly LifecycleEventName[] = RENDERERS.map((r) => r.detailType);

/**
 * Parses an EventBridge event (the body of a notification-queue message) into a {@link NotificationEvent}.
 * Anything that is not one of the project's lifecycle events with a valid detail is an error value, so the
 * caller can dead-letter it once with the reason.
 */
export function parseNotificationEvent(event: unknown): ParseResult<NotificationEvent> {
  const detailType =
    typeof event === 'object' && event !== null && 'detail-type' in event ? event['detail-type'] : undefined;
  if (typeof detailType !== 'string') return { ok: false, error: 'not an EventBridge event: no "detail-type"' };
  const renderer = BY_DETAIL_TYPE.get(detailType);
  if (renderer === undefined) {
    return { ok: false, error: `not a lifecycle event: detail-type ${JSON.stringify(detailType.slice(0, 128))}` };
  }
  return renderer.parse(event);
}

interface Provenance {
  readonly id: string;
  readonly detailType: LifecycleEventName;
  readonly source: string;
  readonly time: string;
  readonly pipeline: string;
  readonly mention: string | undefined;
  readonly replayName: string | undefined;
}

function detailSections(content: NotificationContent): Block[] {
  const blocks: Block[] = [];
  for (const list of content.details ?? []) {
    if (list.items.length === 0 && (list.unlisted ?? 0) === 0) continue;
    const heading = `*${escapeMrkdwn(list.heading)}*`;
    const texts = packLines(list.items.map(toMrkdwn), {
      maxChars: BLOCK_KIT_LIMITS.sectionText - heading.length - 1,
      maxSections: list.maxSections ?? 1,
      unlisted: list.unlisted ?? 0,
      more: list.more,
    });
    texts.forEach((text, i) => {
      blocks.push({ type: 'section', text: mrkdwn(i === 0 ? `${heading}\n${text}` : text) });
    });
  }
  return blocks;
}

function fallbackText(content: NotificationContent, p: Provenance): string {
  const lead: Line = [
    ...(p.mention === undefined ? [] : [mentionPiece(p.mention), ' ']),
    `${content.emoji} ${content.title} · ${p.pipeline}: `,
    ...content.summary,
  ];
  const lines = [toPlain(lead)];
  // Notifications show the first line; the most useful link comes next so truncation never takes it.
  const [primary] = content.links;
  if (primary !== undefined) lines.push(toPlain([{ link: primary.url, label: primary.label }]));
  if (content.facts.length > 0) {
    lines.push(content.facts.map((fact) => `${escapeMrkdwn(fact.label)}: ${toPlain(fact.value)}`).join(' · '));
  }
  return lines.join('\n');
}

/**
 * Lays out a renderer's content as Block Kit: header, summary (with the mention), facts grid, detail lists,
 * links and provenance; plus the plain-text fallback. The result is within every Block Kit limit.
 */
function layoutMessage(content: NotificationContent, p: Provenance): SlackMessage {
  const summary: Line = [...(p.mention === undefined ? [] : [mentionPiece(p.mention), ' ']), ...content.summary];
  const details = detailSections(content);
  const blocks: Block[] = [
    { type: 'header', text: plainText(`${content.emoji} ${content.title} · ${p.pipeline}`) },
    { type: 'section', text: mrkdwn(toMrkdwn(summary)) },
    ...(content.facts.length === 0
      ? []
      : [
          {
            type: 'section' as const,
            fields: fitFields(
              content.facts.map((fact) => `*${escapeMrkdwn(fact.label)}*\n${toMrkdwn(fact.value)}`),
              (n) => `…and ${n} more`,
            ),
          },
        ]),
    ...(details.length === 0 ? [] : [{ type: 'divider' as const }, ...details]),
    ...(content.links.length === 0
      ? []
      : [
          {
            type: 'context' as const,
            elements: content.links.map((l) => mrkdwn(toMrkdwn([{ link: l.url, label: l.label }]))),
          },
        ]),
    {
      type: 'context',
      elements: [
        mrkdwn(
          toMrkdwn([
            `${p.detailType} · ${formatTime(p.time)} · ${p.source} · event `,
            code(p.id),
            ...(p.replayName === undefined ? [] : [' · replayed by ', code(p.replayName)]),
          ]),
        ),
      ],
    },
  ];
  return enforceBlockKitLimits({ text: fallbackText(content, p), blocks });
}
