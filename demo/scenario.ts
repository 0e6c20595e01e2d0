import type { DemoContext } from './demo-context';

/**
 * One scenario of the demo: a story told in steps, each checked against what the system recorded (metadata table,
 * bus events, S3, the endpoint). `run` throws a `DemoExpectationError` at the first step that does not behave as
 * described, and returns what it established, for the next scenarios and for the end-to-end tests.
 */
export interface Scenario<Outcome = unknown> {
  /** The scenario's number in the story (1 to 5); the demo plays them in list order. */
  readonly number: number;
  readonly title: string;
  run(context: DemoContext): Promise<Outcome>;
}
