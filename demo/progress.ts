/**
 * The demo's progress output: one line per step with its outcome and duration, then what to look at (an S3 key, a
 * CLI command to try). Every step's time is kept for the closing timing table.
 */
import { styleText } from 'node:util';

/** A step did not behave as the demo says it does. Its message says what was expected and what happened. */
export class DemoExpectationError extends Error {
  public override readonly name = 'DemoExpectationError';
}

/** Fails the step unless `condition` holds. */
export function expectThat(condition: unknown, message: string): asserts condition {
  if (!condition) throw new DemoExpectationError(message);
}

/** What a step shows when it is done: a short result and lines to look at. */
export interface StepReport {
  /** Appended to the step's line, e.g. `validation:auc 0.812`. */
  readonly result?: string;
  /** One line each, under the step: keys, links, commands. */
  readonly lookAt?: readonly string[];
}

/** The time one step took. */
export interface StepTiming {
  readonly scenario: string;
  readonly step: string;
  readonly ms: number;
  readonly ok: boolean;
}

type Style = Parameters<typeof styleText>[0];

/** Writes the progress; colours only on a terminal that does not ask for none (`NO_COLOR`). */
export class ProgressReporter {
  private readonly timings: StepTiming[] = [];
  private scenario = 'setup';
  private readonly colour: boolean;
  private muted = false;

  public constructor(
    private readonly output: (text: string) => void = (text) => process.stdout.write(text),
    colour = process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined,
  ) {
    this.colour = colour;
  }

  /** Prints nothing more (the run was interrupted: what fails from then on is no news). */
  public mute(): void {
    this.muted = true;
  }

  private write(text: string): void {
    if (!this.muted) this.output(text);
  }

  /** Every step run so far, in order. */
  public get steps(): readonly StepTiming[] {
    return this.timings;
  }

  public style(style: Style, text: string): string {
    return this.colour ? styleText(style, text) : text;
  }

  /** Starts a section (a scenario, the setup, the summary). */
  public section(title: string, scenario = title): void {
    this.scenario = scenario;
    this.write(`\n${this.style('bold', title)}\n`);
  }

  public line(text = ''): void {
    this.write(`${text}\n`);
  }

  /**
   * Runs one step: prints `✓ title  1.2 s  result` and the lines to look at, or `✗ title` and rethrows.
   * The step's function returns what it found; `report` turns that into the line's result and look-at lines.
   */
  public async step<T>(
    title: string,
    run: () => Promise<T>,
    report: (value: T) => StepReport = () => ({}),
  ): Promise<T> {
    const started = performance.now();
    try {
      const value = await run();
      const ms = performance.now() - started;
      this.timings.push({ scenario: this.scenario, step: title, ms, ok: true });
      const { result, lookAt = [] } = report(value);
      this.write(
        `  ${this.style('green', '✓')} ${title.padEnd(66)} ${this.style('dim', seconds(ms).padStart(7))}` +
          `${result === undefined ? '' : `  ${result}`}\n`,
      );
      for (const line of lookAt.flatMap((look) => look.split('\n'))) this.write(`      ${this.style('dim', line)}\n`);
      return value;
    } catch (error) {
      const ms = performance.now() - started;
      this.timings.push({ scenario: this.scenario, step: title, ms, ok: false });
      this.write(`  ${this.style('red', '✗')} ${title.padEnd(66)} ${this.style('dim', seconds(ms).padStart(7))}\n`);
      const message = error instanceof Error ? error.message : String(error);
      for (const line of message.split('\n')) this.write(`      ${this.style('red', line)}\n`);
      throw error;
    }
  }
}

/** `1.2 s` */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
