import type { DemoContext } from './demo-context';
import { DemoExpectationError } from './progress';
import type { Scenario } from './scenario';

/**
 * Plays one scenario under its heading. A function invocation that failed for good while it played (after Lambda's
 * retries, into a dead-letter queue) fails the scenario too, even when its steps saw what they expected.
 */
export async function playScenario<Outcome>(context: DemoContext, scenario: Scenario<Outcome>): Promise<Outcome> {
  context.progress.section(`${scenario.number}. ${scenario.title}`, `scenario ${scenario.number}`);
  const failedBefore = context.failedDeliveries().length;
  const outcome = await scenario.run(context);
  const failed = context.failedDeliveries().slice(failedBefore);
  if (failed.length > 0) {
    throw new DemoExpectationError(
      `${failed.length} function invocation(s) failed for good during scenario ${scenario.number}:\n` +
        failed.map((d) => `  ${d.functionLogicalId} via ${d.source}: ${JSON.stringify(d.outcome)}`).join('\n'),
    );
  }
  return outcome;
}
