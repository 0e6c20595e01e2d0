import * as z from 'zod';
import { LIFECYCLE_EVENT_NAMES, type LifecycleEventName } from '../events/lifecycle';
import { formatIssues } from '../events/parse-result';
import { NotificationRoutesError } from './errors';

/**
 * Which events of which pipeline go to Slack, with which mention and webhook: each pipeline's `notifications`
 * section, written by `lib/notifications.ts` into the notifier's `NOTIFICATION_ROUTES` variable as compact JSON
 * (`"all"` for every event, so the 4 KB environment budget holds many pipelines).
 */

/** One pipeline's notification settings, as the notifier uses them. */
export interface NotificationRoute {
  readonly events: ReadonlySet<LifecycleEventName>;
  /** Slack mention for events that need someone to act. */
  readonly mention?: string;
  /** Key of the pipeline's webhook in the secret's JSON map. */
  readonly webhookKey?: string;
}

/** Routes by pipeline name. */
export type NotificationRoutes = ReadonlyMap<string, NotificationRoute>;

/** The part of a pipeline's configuration routes are built from (`PipelineConfig` has it). */
export interface PipelineNotifications {
  readonly name: string;
  readonly notifications: {
    readonly events: readonly LifecycleEventName[];
    readonly mention?: string;
    readonly webhookKey?: string;
  };
}

const RouteSchema = z.strictObject({
  events: z.union([z.literal('all'), z.array(z.enum(LIFECYCLE_EVENT_NAMES)).min(1)]),
  mention: z.string().min(1).optional(),
  webhookKey: z.string().min(1).optional(),
});
const RoutesSchema = z.record(z.string().min(1), RouteSchema);

/** The `NOTIFICATION_ROUTES` value for `pipelines`. */
export function serializeNotificationRoutes(pipelines: readonly PipelineNotifications[]): string {
  const routes: Record<string, z.input<typeof RouteSchema>> = {};
  for (const { name, notifications } of pipelines) {
    const all = LIFECYCLE_EVENT_NAMES.every((event) => notifications.events.includes(event));
    routes[name] = {
      events: all ? 'all' : [...new Set(notifications.events)],
      ...(notifications.mention === undefined ? {} : { mention: notifications.mention }),
      ...(notifications.webhookKey === undefined ? {} : { webhookKey: notifications.webhookKey }),
    };
  }
  return JSON.stringify(routes);
}

/**
 * Reads a `NOTIFICATION_ROUTES` value.
 * @throws NotificationRoutesError if it is not JSON or not the shape {@link serializeNotificationRoutes} writes.
 */
export function readNotificationRoutes(json: string): NotificationRoutes {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new NotificationRoutesError('NOTIFICATION_ROUTES is not JSON', { cause: error });
  }
  const parsed = RoutesSchema.safeParse(value);
  if (!parsed.success) {
    throw new NotificationRoutesError(`NOTIFICATION_ROUTES is invalid: ${formatIssues(parsed.error.issues)}`, {
      cause: parsed.error,
    });
  }
  return new Map(
    Object.entries(parsed.data).map(([pipeline, route]) => [
      pipeline,
      {
        events: new Set(route.events === 'all' ? LIFECYCLE_EVENT_NAMES : route.events),
        ...(route.mention === undefined ? {} : { mention: route.mention }),
        ...(route.webhookKey === undefined ? {} : { webhookKey: route.webhookKey }),
      },
    ]),
  );
}

/** Whether an event is sent, and with which route. */
export type RouteDecision =
  { readonly kind: 'notify'; readonly route: NotificationRoute } | { readonly kind: 'skip'; readonly reason: string };

/**
 * Decides whether `detailType` of `pipeline` goes to Slack. The rule already filters by pipeline and by the union
 * of every pipeline's events, so a skip here is one pipeline not wanting an event another one wants.
 */
export function routeNotification(
  routes: NotificationRoutes,
  pipeline: string,
  detailType: LifecycleEventName,
): RouteDecision {
  const route = routes.get(pipeline);
  if (route === undefined) return { kind: 'skip', reason: `pipeline "${pipeline}" has no notification settings` };
  if (!route.events.has(detailType)) {
    return { kind: 'skip', reason: `"${detailType}" is not in notifications.events of pipeline "${pipeline}"` };
  }
  return { kind: 'notify', route };
}
