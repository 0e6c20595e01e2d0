/** Base class of the local emulator's errors. */
export class EmulatorError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmulatorError';
  }
}

/** `scripts/setup-local.sh` failed (exit 2: python3 or its venv module is missing). */
export class EmulatorSetupError extends EmulatorError {
  public constructor(
    message: string,
    public readonly exitCode: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EmulatorSetupError';
  }
}

/** moto did not answer its health check in time, or exited while starting. */
export class MotoStartError extends EmulatorError {
  public constructor(
    message: string,
    public readonly logFile: string,
    public readonly logTail: string,
    options?: { cause?: unknown },
  ) {
    super(`${message}\n--- ${logFile} (tail) ---\n${logTail}`, options);
    this.name = 'MotoStartError';
  }
}

/** A call the gateway makes on its own behalf (HeadObject, PutEvents) failed. */
export class GatewayCallError extends EmulatorError {
  public constructor(
    message: string,
    public readonly status: number,
    public readonly body: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GatewayCallError';
  }
}
