/**
 * How the executor publishes `aws.sagemaker` events: through an injected `emit` (locally a `PutEvents` on the
 * emulator's default bus), one at a time so a consumer sees every resource's transitions in the order they happened.
 */

/** A `PutEvents` entry; `Detail` is the JSON text of the event's `detail`. */
export interface PutEventsEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly Resources: readonly string[];
}

/** Publishes one entry; may be async. */
export type EmitEvent = (entry: PutEventsEntry) => Promise<void> | void;

/**
 * Receives failures of work that runs after an API call has returned (event delivery, capture flushes, alarm
 * polls): nobody awaits that work, so its errors must go somewhere explicit.
 */
export type BackgroundErrorHandler = (error: unknown, context: string) => void;

/** Writes background failures to stderr; the default when no handler is injected. */
export const reportToStderr: BackgroundErrorHandler = (error, context) => {
  process.stderr.write(`[local-sagemaker] ${context}: ${error instanceof Error ? error.stack : String(error)}\n`);
};

/** The source AWS uses for SageMaker events. */
export const SAGEMAKER_EVENT_SOURCE = 'aws.sagemaker';

/** Serialises emits; a failed emit is reported and does not block the ones after it. */
export class OrderedEmitter {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly emit: EmitEvent,
    private readonly onError: BackgroundErrorHandler,
  ) {}

  /** Queues an `aws.sagemaker` event about `resourceArn`. */
  send(detailType: string, resourceArn: string, detail: Readonly<Record<string, unknown>>): void {
    const entry: PutEventsEntry = {
      Source: SAGEMAKER_EVENT_SOURCE,
      DetailType: detailType,
      Detail: JSON.stringify(detail),
      Resources: [resourceArn],
    };
    this.tail = this.tail.then(
      () => this.deliver(entry),
      () => this.deliver(entry),
    );
  }

  /** Resolves when every queued event has been handed to `emit`. */
  drain(): Promise<void> {
    return this.tail;
  }

  private async deliver(entry: PutEventsEntry): Promise<void> {
    try {
      await this.emit(entry);
    } catch (error) {
      this.onError(error, `emitting ${entry.DetailType} for ${entry.Resources.join(',')}`);
    }
  }
}
