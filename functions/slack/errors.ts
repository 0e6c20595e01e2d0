/**
 * Errors thrown by `functions/slack/`. Only faults are thrown: a Slack refusal, a rate limit, a missing or
 * malformed webhook secret and a malformed event are outcomes, returned as values. No error message here ever
 * contains a webhook URL.
 */

/** Base class of every error thrown by `functions/slack/`. */
export class SlackNotificationError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SlackNotificationError';
  }
}

/** `NOTIFICATION_ROUTES` is not what `lib/notifications.ts` writes: a deployment fault, raised at module init. */
export class NotificationRoutesError extends SlackNotificationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotificationRoutesError';
  }
}

/** A DynamoDB call on the notification marker failed (throttling, 5xx, access): transient or deployment fault. */
export class NotificationStoreError extends SlackNotificationError {
  public constructor(
    /** `claim`, `markSent` or `release`. */
    public readonly operation: string,
    public readonly eventId: string,
    options?: ErrorOptions,
  ) {
    super(`notification marker ${operation} failed for event ${eventId}`, options);
    this.name = 'NotificationStoreError';
  }
}
