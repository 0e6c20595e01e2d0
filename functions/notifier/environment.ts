import { readEnv, readOptionalEnv } from '../runtime/read-env';
import { readNotificationRoutes, type NotificationRoutes } from '../slack/notification-routes';

/**
 * The notifier's environment. `lib/notifications.ts` sets every variable but the last two from these names, so
 * the construct and the handler cannot disagree.
 */
export const NOTIFIER_ENV = {
  /** Metadata table: notification markers (`NOTIFICATION#<eventId>`). */
  metadataTable: 'METADATA_TABLE',
  /** ARN of the Slack webhook secret (a URL, or a JSON map of key to URL). */
  webhookSecretArn: 'SLACK_WEBHOOK_SECRET_ARN',
  /** The notification queue, to give a message back with a delay (ChangeMessageVisibility) or delete it. */
  queueUrl: 'NOTIFICATION_QUEUE_URL',
  /** Where undeliverable notifications go, with the reason (set by `MlopsFunction`). */
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  /** Per pipeline: events, mention, webhook key (JSON, `serializeNotificationRoutes`). */
  routes: 'NOTIFICATION_ROUTES',
  /** CloudWatch dashboard linked from messages. Optional. */
  dashboardName: 'DASHBOARD_NAME',
  /** Bucket of reports and manifests, for S3 console links. Optional. */
  artifactsBucket: 'ARTIFACTS_BUCKET',
  /** Bucket of quarantined files, for S3 console links. Optional. */
  quarantineBucket: 'QUARANTINE_BUCKET',
  /**
   * Local runtime and demo only (DESIGN 6): a webhook URL (or JSON map) that takes the place of the secret's
   * value, so no secret has to be written. Never set by `lib/`.
   */
  webhookUrlOverride: 'SLACK_WEBHOOK_URL',
  /** Local runtime and tests only: multiplies every wait (pacing, backoff, Retry-After); default 1. */
  timeScale: 'NOTIFIER_TIME_SCALE',
} as const;

/** The notifier's configuration, read once at module init. */
export interface NotifierEnvironment {
  readonly metadataTable: string;
  readonly webhookSecretArn: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly routes: NotificationRoutes;
  readonly dashboardName?: string;
  readonly artifactsBucket?: string;
  readonly quarantineBucket?: string;
  /** Raw value of `SLACK_WEBHOOK_URL`; parsed like the secret. Never log it. */
  readonly webhookUrlOverride?: string;
  readonly timeScale: number;
  /** The function's own region, for console links when an event carries none. */
  readonly region: string;
}

/** Thrown at init when a variable has a value the notifier cannot use. */
export class NotifierEnvironmentError extends Error {
  public override readonly name = 'NotifierEnvironmentError';
}

function readTimeScale(): number {
  const raw = readOptionalEnv(NOTIFIER_ENV.timeScale);
  if (raw === undefined) return 1;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 10) {
    throw new NotifierEnvironmentError(
      `${NOTIFIER_ENV.timeScale} must be a number in (0, 10], got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/**
 * Reads and checks the environment.
 * @throws MissingEnvironmentError, NotificationRoutesError or NotifierEnvironmentError: deployment faults, at init.
 */
export function readNotifierEnvironment(): NotifierEnvironment {
  const env = readEnv(
    NOTIFIER_ENV.metadataTable,
    NOTIFIER_ENV.webhookSecretArn,
    NOTIFIER_ENV.queueUrl,
    NOTIFIER_ENV.deadLetterQueueUrl,
    NOTIFIER_ENV.routes,
  );
  const dashboardName = readOptionalEnv(NOTIFIER_ENV.dashboardName);
  const artifactsBucket = readOptionalEnv(NOTIFIER_ENV.artifactsBucket);
  const quarantineBucket = readOptionalEnv(NOTIFIER_ENV.quarantineBucket);
  const webhookUrlOverride = readOptionalEnv(NOTIFIER_ENV.webhookUrlOverride);
  return {
    metadataTable: env.METADATA_TABLE,
    webhookSecretArn: env.SLACK_WEBHOOK_SECRET_ARN,
    queueUrl: env.NOTIFICATION_QUEUE_URL,
    deadLetterQueueUrl: env.DEAD_LETTER_QUEUE_URL,
    routes: readNotificationRoutes(env.NOTIFICATION_ROUTES),
    ...(dashboardName === undefined ? {} : { dashboardName }),
    ...(artifactsBucket === undefined ? {} : { artifactsBucket }),
    ...(quarantineBucket === undefined ? {} : { quarantineBucket }),
    ...(webhookUrlOverride === undefined ? {} : { webhookUrlOverride }),
    timeScale: readTimeScale(),
    region: readOptionalEnv('AWS_REGION') ?? 'us-east-1',
  };
}
