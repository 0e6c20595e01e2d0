/** Base class of the deploy function's faults. */
export class DeploymentError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeploymentError';
  }
}

/**
 * The endpoint cannot take the deployment's request right now (it is still deleting, updating, or being changed by
 * someone else). Transient: thrown so that Lambda retries the invocation, which resumes the same deployment.
 */
export class EndpointBusyError extends DeploymentError {
  public constructor(
    public readonly endpointName: string,
    public readonly endpointStatus: string,
    message: string,
  ) {
    super(message);
    this.name = 'EndpointBusyError';
  }
}

/**
 * The state kept changing under the deployment's conditional writes (many approvals at once). Transient: Lambda
 * retries, and the retry starts from the state as it is then.
 */
export class ContendedStateError extends DeploymentError {
  public constructor(pipeline: string, attempts: number) {
    super(`the deployment state of ${pipeline} changed under ${attempts} attempts in a row; retrying later`);
    this.name = 'ContendedStateError';
  }
}

/**
 * The package was deployed with settings whose resources now have other names (the function was redeployed with a
 * new pipeline.yaml while the deployment was in flight). Not transient: the deployment must be looked at.
 */
export class SettingsChangedError extends DeploymentError {
  public constructor(deploymentId: string, recorded: string, computed: string) {
    super(
      `deployment ${deploymentId} recorded endpoint config ${recorded}, but the current settings give ${computed}: ` +
        'the pipeline settings changed while it was in flight',
    );
    this.name = 'SettingsChangedError';
  }
}
