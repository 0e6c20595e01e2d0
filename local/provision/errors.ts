/** Base class of the local provisioner's errors. */
export class ProvisionError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProvisionError';
  }
}

/** The template or the cloud assembly cannot be read or is malformed. */
export class TemplateError extends ProvisionError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateError';
  }
}

/** An intrinsic function cannot be resolved locally. */
export class IntrinsicResolutionError extends ProvisionError {
  public constructor(
    /** Logical id of the resource (or output, condition) whose value failed. */
    public readonly logicalId: string,
    /** Where in it, e.g. `Properties.Environment.Variables.TABLE_NAME`. */
    public readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot resolve ${logicalId} at ${path}: ${reason}`, options);
    this.name = 'IntrinsicResolutionError';
  }
}

/** The template has resource types the provisioner neither handles nor knowingly ignores. */
export class UnknownResourceTypeError extends ProvisionError {
  public constructor(
    /** Each unknown type with the logical ids that use it. */
    public readonly unknown: Readonly<Record<string, readonly string[]>>,
  ) {
    super(
      `the template has resource types the local provisioner does not know: ${Object.entries(unknown)
        .map(([type, ids]) => `${type} (${ids.join(', ')})`)
        .join('; ')}. Add each to the handled or ignored table in local/provision/resource-types.ts.`,
    );
    this.name = 'UnknownResourceTypeError';
  }
}

/** A resource's properties do not have the shape the provisioner expects, or the emulator refused it. */
export class ResourceProvisionError extends ProvisionError {
  public constructor(
    public readonly logicalId: string,
    public readonly type: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${type} ${logicalId}: ${reason}`, options);
    this.name = 'ResourceProvisionError';
  }
}
