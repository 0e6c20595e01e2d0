/** Calls the pipeline's endpoint as a client application would, with requests of the simulated world. */
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { inferenceRequests } from '../pipelines/churn/world/inference-traffic';
import type { DemoContext } from './demo-context';
import { DemoExpectationError } from './progress';

/**
 * Sends `count` one-customer CSV requests of traffic seed `seed` and returns the churn probabilities; a failed
 * call or an answer that is not a probability fails the step.
 */
export async function predictChurn(context: DemoContext, seed: number, count: number): Promise<number[]> {
  const endpointName = context.pipeline.deployment.endpointName;
  const scores: number[] = [];
  for (const request of inferenceRequests(seed, count)) {
    let body: string;
    try {
      const output = await context.runtime.clients.sagemakerRuntime.send(
        new InvokeEndpointCommand({
          EndpointName: endpointName,
          Body: request.body,
          ContentType: request.contentType,
          InferenceId: request.inferenceId,
        }),
      );
      body = new TextDecoder().decode(output.Body).trim();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new DemoExpectationError(`InvokeEndpoint ${endpointName} failed: ${message}`);
    }
    const score = Number(body);
    if (body === '' || !(score >= 0 && score <= 1)) {
      throw new DemoExpectationError(`${endpointName} answered ${JSON.stringify(body)}, not a churn probability`);
    }
    scores.push(score);
  }
  return scores;
}
