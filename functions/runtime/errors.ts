/**
 * An event that does not have the shape its handler expects. It fails the same way on every retry, so the
 * error policy parks it in the malformed-events queue once and reports success (no retry loop).
 */
export class MalformedEventError extends Error {
  public override readonly name = 'MalformedEventError';
  public constructor(
    message: string,
    /** Where in the event the problem is, e.g. `detail.object.key`. */
    public readonly path?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
