import { awsJsonError, awsJsonReply, replyJson, type AwsCall, type AwsReply } from '../emulator/aws-call';
import type { Gateway } from '../emulator/gateway';
import type { LocalEndpoints } from './endpoint-executor';
import { SageMakerApiError } from './errors';
import type { LocalTrainingJobs, TrainingJobStatus } from './training-executor';

const TRAINING_STATUSES: readonly TrainingJobStatus[] = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];

/** The SageMaker operations served locally; everything else of SageMaker (models, configs, registry) stays in moto. */
export const LOCAL_SAGEMAKER_OPERATIONS = [
  'CreateTrainingJob',
  'DescribeTrainingJob',
  'StopTrainingJob',
  'ListTrainingJobs',
  'CreateEndpoint',
  'UpdateEndpoint',
  'DescribeEndpoint',
  'DeleteEndpoint',
] as const;

/**
 * Serves the SageMaker operations moto lacks or fakes (MOTO.md 3) from the local executors, behind the same API:
 * handlers make exactly the calls they make on AWS. Returns a function that removes the interceptors.
 */
export function bindSageMaker(gateway: Gateway, training: LocalTrainingJobs, endpoints: LocalEndpoints): () => void {
  const serve =
    (fn: (call: AwsCall) => unknown) =>
    async (call: AwsCall): Promise<AwsReply> => {
      try {
        const result = await fn(call);
        return awsJsonReply(result ?? {});
      } catch (error) {
        if (error instanceof SageMakerApiError) return awsJsonError(error.code, error.message, error.statusCode);
        throw error;
      }
    };
  const name = (call: AwsCall, key: string): string => {
    const value = field(call.json(), key);
    if (typeof value !== 'string') throw new SageMakerApiError('ValidationException', `${key} is required`);
    return value;
  };

  const unbind = [
    gateway.intercept(
      'sagemaker',
      'CreateTrainingJob',
      serve((call) => training.create(call.json())),
    ),
    gateway.intercept(
      'sagemaker',
      'DescribeTrainingJob',
      serve((call) => training.describe(name(call, 'TrainingJobName'))),
    ),
    gateway.intercept(
      'sagemaker',
      'StopTrainingJob',
      serve((call) => training.stop(name(call, 'TrainingJobName'))),
    ),
    gateway.intercept(
      'sagemaker',
      'ListTrainingJobs',
      serve((call) => {
        const body = call.json();
        const status = TRAINING_STATUSES.find((s) => s === field(body, 'StatusEquals'));
        const contains = field(body, 'NameContains');
        return training.list({
          ...(status ? { StatusEquals: status } : {}),
          ...(typeof contains === 'string' ? { NameContains: contains } : {}),
        });
      }),
    ),
    gateway.intercept(
      'sagemaker',
      'CreateEndpoint',
      serve((call) => endpoints.createEndpoint(call.json())),
    ),
    gateway.intercept(
      'sagemaker',
      'UpdateEndpoint',
      serve((call) => endpoints.updateEndpoint(call.json())),
    ),
    gateway.intercept(
      'sagemaker',
      'DescribeEndpoint',
      serve((call) => endpoints.describeEndpoint(name(call, 'EndpointName'))),
    ),
    gateway.intercept(
      'sagemaker',
      'DeleteEndpoint',
      serve((call) => endpoints.deleteEndpoint(name(call, 'EndpointName'))),
    ),
    gateway.intercept('sagemaker-runtime', 'InvokeEndpoint', async (call): Promise<AwsReply> => {
      const endpointName = decodeURIComponent(call.path.split('/')[2] ?? '');
      const header = (key: string) => call.headers[key];
      try {
        const output = await endpoints.invoke(endpointName, {
          Body: new Uint8Array(call.body),
          ...(header('content-type') ? { ContentType: header('content-type') } : {}),
          ...(header('accept') ? { Accept: header('accept') } : {}),
          ...(header('x-amzn-sagemaker-custom-attributes')
            ? { CustomAttributes: header('x-amzn-sagemaker-custom-attributes') }
            : {}),
          ...(header('x-amzn-sagemaker-inference-id') ? { InferenceId: header('x-amzn-sagemaker-inference-id') } : {}),
          ...(header('x-amzn-sagemaker-target-variant')
            ? { TargetVariant: header('x-amzn-sagemaker-target-variant') }
            : {}),
        });
        const headers: Record<string, string> = {
          'content-type': output.ContentType,
          'x-amzn-invoked-production-variant': output.InvokedProductionVariant,
        };
        if (output.CustomAttributes) headers['x-amzn-sagemaker-custom-attributes'] = output.CustomAttributes;
        return {
          status: 200,
          headers,
          body: Buffer.from(output.Body),
        };
      } catch (error) {
        if (!(error instanceof SageMakerApiError)) throw error;
        // The runtime is a REST-JSON service: the error type travels in x-amzn-errortype.
        return {
          status: error.statusCode,
          headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code },
          body: Buffer.from(JSON.stringify({ message: error.message, ...error.details })),
        };
      }
    }),
  ];
  return () => unbind.forEach((remove) => remove());
}

/** A member of a JSON object body, or undefined. */
function field(body: unknown, key: string): unknown {
  return typeof body === 'object' && body !== null && key in body ? (Reflect.get(body, key) as unknown) : undefined;
}

/** Reads a SageMaker resource description from moto through the gateway (models, endpoint configs, packages). */
export async function describeFromMoto(
  gateway: Gateway,
  operation: string,
  body: Record<string, string>,
): Promise<unknown> {
  const reply = await gateway.send({
    service: 'sagemaker',
    region: gateway.region,
    accountId: gateway.accountId,
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `SageMaker.${operation}` },
    body: JSON.stringify(body),
  });
  return reply.status === 200 ? replyJson(reply) : undefined;
}
