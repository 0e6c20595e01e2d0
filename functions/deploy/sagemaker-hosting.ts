/**
 * The SageMaker calls of a deployment, behind one small interface so the runner can be driven by the local runtime,
 * by AWS and by the CLI alike. Creates are idempotent: a resource that exists already (a retry, a redelivered
 * approval) counts as created, which is what its deterministic name is for.
 */
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  ProductionVariantInstanceType,
  UpdateEndpointCommand,
  type CreateEndpointConfigInput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { normaliseEndpointStatus } from '../events/aws-sagemaker';
import type { EndpointView } from '../deployment/deployment-outcome';
import type {
  CreateEndpointConfigRequest,
  CreateModelRequest,
  EndpointDeploymentConfig,
  ModelPackageView,
} from '../deployment/hosting-requests';

/** How an endpoint update gets its guardrails: the pipeline's, or the ones of the endpoint's last deployment. */
export type DeploymentConfigChoice =
  { readonly kind: 'explicit'; readonly config: EndpointDeploymentConfig } | { readonly kind: 'retain' };

/** The SageMaker operations a deployment needs. */
export interface HostingApi {
  describeModelPackage(modelPackageArn: string): Promise<ModelPackageView>;
  ensureModel(request: CreateModelRequest): Promise<void>;
  ensureEndpointConfig(request: CreateEndpointConfigRequest): Promise<void>;
  endpointConfigExists(name: string): Promise<boolean>;
  describeEndpoint(name: string): Promise<EndpointView | undefined>;
  createEndpoint(name: string, endpointConfigName: string, tags: { Key: string; Value: string }[]): Promise<void>;
  updateEndpoint(name: string, endpointConfigName: string, choice: DeploymentConfigChoice): Promise<void>;
  /** Deletes the endpoint; one that does not exist (any more) is fine. */
  deleteEndpoint(name: string): Promise<void>;
  deleteModel(name: string): Promise<void>;
  deleteEndpointConfig(name: string): Promise<void>;
}

/** SageMaker answers a lookup of something that does not exist with a ValidationException ("Could not find ..."). */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'ResourceNotFound' ||
      (error.name === 'ValidationException' && /could not find|does not exist|not found/i.test(error.message)))
  );
}

/** "Cannot create already existing model/endpoint configuration": a retried create. */
function isAlreadyExisting(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && /already exist/i.test(error.message);
}

const INSTANCE_TYPES: ReadonlySet<string> = new Set(Object.values(ProductionVariantInstanceType));

function isInstanceType(value: string): value is ProductionVariantInstanceType {
  return INSTANCE_TYPES.has(value);
}

/** The SDK input of `request`: the SDK types instance types as a closed union, which the config checks by pattern. */
function endpointConfigInput(request: CreateEndpointConfigRequest): CreateEndpointConfigInput {
  return {
    ...request,
    ProductionVariants: request.ProductionVariants.map(({ InstanceType, ...variant }) => {
      if (InstanceType === undefined) return variant;
      if (!isInstanceType(InstanceType)) {
        throw new RangeError(`instance type ${InstanceType} is not a SageMaker hosting instance type this SDK knows`);
      }
      return { ...variant, InstanceType };
    }),
  };
}

function iso(time: Date | undefined): string | undefined {
  return time === undefined ? undefined : time.toISOString();
}

/** {@link HostingApi} on the SageMaker API. */
export class SageMakerHosting implements HostingApi {
  public constructor(private readonly client: SageMakerClient) {}

  public async describeModelPackage(modelPackageArn: string): Promise<ModelPackageView> {
    const pkg = await this.client.send(new DescribeModelPackageCommand({ ModelPackageName: modelPackageArn }));
    return {
      modelPackageArn: pkg.ModelPackageArn ?? modelPackageArn,
      modelPackageGroupName: pkg.ModelPackageGroupName ?? '',
      modelVersion: pkg.ModelPackageVersion ?? 0,
      approvalStatus: pkg.ModelApprovalStatus ?? 'PendingManualApproval',
      containers: (pkg.InferenceSpecification?.Containers ?? []).map((c) => ({
        image: c.Image ?? '',
        ...(c.ModelDataUrl === undefined ? {} : { modelDataUrl: c.ModelDataUrl }),
        ...(c.Environment === undefined ? {} : { environment: c.Environment }),
      })),
    };
  }

  public async ensureModel(request: CreateModelRequest): Promise<void> {
    if (await this.exists(() => this.client.send(new DescribeModelCommand({ ModelName: request.ModelName })))) return;
    try {
      await this.client.send(new CreateModelCommand(request));
    } catch (error) {
      if (!isAlreadyExisting(error)) throw error;
    }
  }

  public async ensureEndpointConfig(request: CreateEndpointConfigRequest): Promise<void> {
    if (await this.endpointConfigExists(request.EndpointConfigName)) return;
    try {
      await this.client.send(new CreateEndpointConfigCommand(endpointConfigInput(request)));
    } catch (error) {
      if (!isAlreadyExisting(error)) throw error;
    }
  }

  public endpointConfigExists(name: string): Promise<boolean> {
    return this.exists(() => this.client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name })));
  }

  public async describeEndpoint(name: string): Promise<EndpointView | undefined> {
    try {
      const endpoint = await this.client.send(new DescribeEndpointCommand({ EndpointName: name }));
      const status = normaliseEndpointStatus(endpoint.EndpointStatus ?? '');
      if (status === undefined) throw new Error(`endpoint ${name} has an unknown status "${endpoint.EndpointStatus}"`);
      const modified = iso(endpoint.LastModifiedTime);
      return {
        endpointName: name,
        status,
        endpointConfigName: endpoint.EndpointConfigName ?? '',
        ...(endpoint.PendingDeploymentSummary?.EndpointConfigName === undefined
          ? {}
          : { pendingEndpointConfigName: endpoint.PendingDeploymentSummary.EndpointConfigName }),
        ...(endpoint.FailureReason === undefined ? {} : { failureReason: endpoint.FailureReason }),
        ...(modified === undefined ? {} : { lastModifiedTime: modified }),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  public async createEndpoint(
    name: string,
    endpointConfigName: string,
    tags: { Key: string; Value: string }[],
  ): Promise<void> {
    await this.client.send(
      new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: endpointConfigName, Tags: tags }),
    );
  }

  public async updateEndpoint(name: string, endpointConfigName: string, choice: DeploymentConfigChoice): Promise<void> {
    await this.client.send(
      new UpdateEndpointCommand({
        EndpointName: name,
        EndpointConfigName: endpointConfigName,
        ...(choice.kind === 'explicit' ? { DeploymentConfig: choice.config } : { RetainDeploymentConfig: true }),
      }),
    );
  }

  public async deleteEndpoint(name: string): Promise<void> {
    await this.ignoreNotFound(() => this.client.send(new DeleteEndpointCommand({ EndpointName: name })));
  }

  public async deleteModel(name: string): Promise<void> {
    await this.ignoreNotFound(() => this.client.send(new DeleteModelCommand({ ModelName: name })));
  }

  public async deleteEndpointConfig(name: string): Promise<void> {
    await this.ignoreNotFound(() => this.client.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name })));
  }

  private async exists(describe: () => Promise<unknown>): Promise<boolean> {
    try {
      await describe();
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  private async ignoreNotFound(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
